// When Notion answers 429, the whole sink pauses for Retry-After (not just the request that got it), the
// request is sent again after the pause, nothing fails or duplicates, and the pause is kept in the store so
// that the next process (or leader) honours it too.
import { afterEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { selectSetting, upsertSetting } from '../../src/store/queries/settings.js';
import { countSinkRowsByState } from '../../src/store/queries/sink-work.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { freshStoreLocation, STORE_KINDS, type StoreLocation } from '../support/stores.js';
import { calcomBody, startNotionWorkspace, waitFor, type NotionWorkspace } from './support/notion.js';

const PAUSE_KEY = 'notion.paused_until_ms';
/** Requests already on the wire when the 429 came back may still arrive just after it. */
const IN_FLIGHT_SLACK_MS = 150;
/** The emulator's Retry-After is whole seconds, at least 1. */
const MIN_RETRY_AFTER_MS = 1_000;

describe.each(STORE_KINDS)('Notion rate limiting the sink (%s)', (kind) => {
  let notion: NotionWorkspace | undefined;
  let server: TestServer | undefined;
  let location: StoreLocation | undefined;

  afterEach(async () => {
    await server?.close();
    await location?.cleanup();
    await notion?.close();
    server = location = notion = undefined;
  });

  it('a 429 pauses every request of the sink for Retry-After, and the work still completes once each', { timeout: 45_000 }, async () => {
    // calsync is told it may send 40/s; Notion allows 4/s: the 429s must be absorbed sink-wide.
    notion = await startNotionWorkspace({ rateLimit: { ratePerSecond: 4, burst: 2 } });
    location = await freshStoreLocation(kind);
    server = await startTestServer({ location, env: { ...notion.env(40), LOG_LEVEL: 'error' } });
    const uids = Array.from({ length: 10 }, () => makeBookingUid());
    for (const uid of uids) expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid }))).status).toBe(200);
    await waitFor(
      'all synced',
      async () => {
        const states = await countSinkRowsByState(server!.app.store.db, 'notion');
        return states.synced === uids.length && Object.keys(states).length === 1;
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );

    const log = notion.emulator.requests;
    const limited = log.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const hit of limited) {
      const during = log.filter((r) => r.at > hit.at + IN_FLIGHT_SLACK_MS && r.at < hit.at + MIN_RETRY_AFTER_MS - IN_FLIGHT_SLACK_MS);
      expect(during, `requests sent during the pause after the 429 at ${hit.at}`).toHaveLength(0);
    }
    expect(Number(await selectSetting(server.app.store.db, PAUSE_KEY))).toBeGreaterThanOrEqual(limited.at(-1)!.at + MIN_RETRY_AFTER_MS - IN_FLIGHT_SLACK_MS);
    for (const uid of uids) expect(notion.sessionsWithUid(uid, true)).toHaveLength(1);
    expect(notion.clients()).toHaveLength(1);
  });

  it('a pause persisted by the previous process holds the next one back until it ends', { timeout: 30_000 }, async () => {
    notion = await startNotionWorkspace();
    location = await freshStoreLocation(kind);
    server = await startTestServer({ location, env: { ...notion.env(), LOG_LEVEL: 'error' } });
    const first = makeBookingUid();
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid: first }))).status).toBe(200);
    await waitFor('the first booking synced', () => notion!.sessionsWithUid(first).length === 1);
    // As if the last thing this leader heard was "429, Retry-After: 2".
    const pausedUntil = Date.now() + 2_000;
    await upsertSetting(server.app.store.db, PAUSE_KEY, String(pausedUntil), new Date().toISOString());
    await server.close();
    notion.emulator.clearRequests();

    server = await startTestServer({ location, env: { ...notion.env(), LOG_LEVEL: 'error' } });
    const second = makeBookingUid();
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid: second }))).status).toBe(200);
    await waitFor('the second booking synced', () => notion!.sessionsWithUid(second).length === 1, { timeoutMs: 20_000 });
    const sent = notion.emulator.requests.map((r) => r.at);
    expect(sent.length).toBeGreaterThan(0);
    expect(Math.min(...sent)).toBeGreaterThanOrEqual(pausedUntil);
  });
});
