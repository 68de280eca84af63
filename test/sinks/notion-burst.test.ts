// 200 bookings for 60 clients arrive in a burst while Notion allows a few requests per second: the mirror
// ends with exactly 60 Clients pages and 200 Sessions pages with the right values, and never sends more
// than the limit allows. The limit is scaled up (30 req/s against an emulator limiting at 30 req/s with a
// burst of 10) so the test runs in CI time; bench/notion.ts measures the real 3 req/s figure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { countNotionClientPages } from '../../src/store/queries/notion.js';
import { countSinkRowsByState } from '../../src/store/queries/sink-work.js';
import type { RequestLogEntry } from '../emulators/notion/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { calcomBody, dateOf, sameInstant, startNotionWorkspace, waitFor, type NotionWorkspace } from './support/notion.js';

const BOOKINGS = 200;
const CLIENTS = 60;
const RATE_PER_SECOND = 30;
const EMULATOR_BURST = 10;
const SEND_CONCURRENCY = 25;

/** The largest excess of any window of the log over what a token bucket (rate, burst) lets through. */
function worstExcess(requests: readonly RequestLogEntry[], ratePerSecond: number, burst: number): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let worst = -Infinity;
  for (let i = 0; i < times.length; i += 1) {
    for (let j = i; j < times.length; j += 1) {
      const allowed = burst + (ratePerSecond * ((times[j] as number) - (times[i] as number))) / 1000;
      worst = Math.max(worst, j - i + 1 - allowed);
    }
  }
  return worst;
}

describe.each(STORE_KINDS)('a burst of bookings under the rate limit (%s)', (kind) => {
  let notion: NotionWorkspace;
  let server: TestServer;

  beforeAll(async () => {
    notion = await startNotionWorkspace({ rateLimit: { ratePerSecond: RATE_PER_SECOND, burst: EMULATOR_BURST } });
    server = await startTestServer({ kind, env: { ...notion.env(RATE_PER_SECOND), LOG_LEVEL: 'warn' } });
  });

  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
    await notion?.close();
  });

  it(`${BOOKINGS} bookings for ${CLIENTS} clients: exactly ${CLIENTS} Clients and ${BOOKINGS} Sessions, within the limit`, { timeout: 55_000 }, async () => {
    const run = makeBookingUid().slice(0, 6).toLowerCase();
    const bookings = Array.from({ length: BOOKINGS }, (_, i) => {
      const client = i % CLIENTS;
      const start = new Date(Date.UTC(2031, 5, 1, 8) + i * 45 * 60_000).toISOString();
      return {
        uid: makeBookingUid(),
        email: `client${client}.${run}@example.com`,
        name: `Client ${client}`,
        start,
        end: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
      };
    });

    // The burst: many deliveries in flight at once, several for the same new client.
    let next = 0;
    const sendAll = async () => {
      while (next < bookings.length) {
        const b = bookings[next++]!;
        const res = await server.sendWebhook(
          calcomBody('BOOKING_CREATED', { uid: b.uid, attendee: { name: b.name, email: b.email }, startTime: b.start, endTime: b.end }),
        );
        expect(res.status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: SEND_CONCURRENCY }, sendAll));

    const db = server.app.store.db;
    await waitFor(
      'every appointment to be synced',
      async () => {
        const states = await countSinkRowsByState(db, 'notion');
        return states.synced === BOOKINGS && Object.keys(states).length === 1;
      },
      { timeoutMs: 45_000, intervalMs: 200 },
    );

    const clients = notion.clients();
    expect(clients).toHaveLength(CLIENTS);
    expect(new Set(clients.map((c) => c.plain.Email)).size).toBe(CLIENTS);
    expect(await countNotionClientPages(db)).toBe(CLIENTS);
    const clientByEmail = new Map(clients.map((c) => [c.plain.Email as string, c]));

    const sessions = notion.sessions();
    expect(sessions).toHaveLength(BOOKINGS);
    const byUid = new Map(sessions.map((s) => [s.plain['Booking UID'] as string, s]));
    expect(byUid.size).toBe(BOOKINGS);
    for (const b of bookings) {
      const page = byUid.get(b.uid);
      expect(page, b.uid).toBeDefined();
      expect(page?.plain.Status).toBe('Scheduled');
      expect(sameInstant(dateOf(page)?.start, b.start) && sameInstant(dateOf(page)?.end ?? null, b.end), `When of ${b.uid}`).toBe(true);
      const client = clientByEmail.get(b.email);
      expect(page?.plain.Client).toEqual([client?.id]);
      expect(client?.plain.Name).toBe(b.name);
    }

    const requests = notion.emulator.requests;
    expect(notion.emulator.count429).toBe(0);
    expect(worstExcess(requests, RATE_PER_SECOND, EMULATOR_BURST)).toBeLessThanOrEqual(0);
    // One create per page, no look-up of bookings never attempted: the minimum the burst needs, plus start-up.
    const creates = requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages');
    expect(creates).toHaveLength(BOOKINGS + CLIENTS);
  });
});
