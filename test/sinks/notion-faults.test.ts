// Notion failing: 20% of requests meet an injected fault (5xx, an HTML 502, 409, 529, and writes that land
// and then answer 504). Nothing is dropped and nothing is duplicated: every booking ends with exactly one
// Sessions page showing its current state, every client with one page.
import { afterEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { FAULT_KINDS } from '../emulators/notion/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { calcomBody, sendAllAccepted, startNotionWorkspace, waitAllSynced, type NotionWorkspace } from './support/notion.js';

const FAULT_RATE = 0.2;

describe.each(STORE_KINDS)('Notion failing (%s)', (kind) => {
  let notion: NotionWorkspace | undefined;
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    await server?.location.cleanup();
    await notion?.close();
    server = undefined;
    notion = undefined;
  });

  const sendAll = (bodies: Record<string, unknown>[]) => sendAllAccepted(server!, bodies);
  const allSynced = (expected: number, timeoutMs: number) => waitAllSynced(server!, expected, timeoutMs);


  it('20% injected faults, write-then-504 included: converges with no duplicate page', { timeout: 55_000 }, async () => {
    notion = await startNotionWorkspace({ faults: { rate: FAULT_RATE, kinds: FAULT_KINDS }, seed: 7 });
    server = await startTestServer({ kind, env: { ...notion.env(50), LOG_LEVEL: 'error' } });
    const run = makeBookingUid().slice(0, 6).toLowerCase();
    const bookings = Array.from({ length: 30 }, (_, i) => ({ uid: makeBookingUid(), email: `c${i % 12}.${run}@example.com` }));
    await sendAll(bookings.map((b) => calcomBody('BOOKING_CREATED', { uid: b.uid, attendee: { name: b.email, email: b.email } })));
    // A few reschedules while faults keep coming: the same page must move.
    const moved = bookings.slice(0, 5).map((b) => ({ ...b, uid: makeBookingUid(), from: b.uid }));
    await sendAll(moved.map((m) => calcomBody('BOOKING_RESCHEDULED', { uid: m.uid, rescheduleUid: m.from, attendee: { name: m.email, email: m.email } })));

    await allSynced(bookings.length, 50_000);

    const counters = notion.emulator.counters;
    expect(counters.faultsInjected).toBeGreaterThan(10);
    expect(notion.emulator.requests.some((r) => r.fault === 'write_then_504' && r.method === 'POST' && r.path === '/v1/pages')).toBe(true);
    const current = new Map(bookings.map((b) => [b.uid, b.uid]));
    for (const m of moved) current.set(m.from, m.uid);
    for (const [original, uid] of current) {
      const pages = notion.sessionsWithUid(uid, true);
      expect(pages, `pages of ${original}`).toHaveLength(1);
      expect(pages[0]?.inTrash).toBe(false);
      expect(pages[0]?.plain.Status).toBe(uid === original ? 'Scheduled' : 'Rescheduled');
      if (uid !== original) expect(notion.sessionsWithUid(original, true)).toHaveLength(0);
    }
    expect(notion.emulator.pagesIn(notion.sessionsDataSourceId, { includeTrashed: true })).toHaveLength(bookings.length);
    expect(notion.emulator.pagesIn(notion.clientsDataSourceId, { includeTrashed: true })).toHaveLength(12);
  });
});
