// Reconciliation's keyset paging when several bookings share one updatedAt instant and the next instant is
// 1 ms later, against the emulator (whose afterUpdatedAt is inclusive, >=). Fix: the next page's key
// (newest - 1 ms) could lie before the current key; with an inclusive bound its page then re-read the
// bookings of that earlier instant, the offset counted the wrong ones, and two pages alternated until the
// page limit: the run never completed, never read the last booking, and on the way spent Cal.com's rate
// limit (the client then paused up to a minute; seen as a 60 s hang of reconcile.test.ts).
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalcomApiClient } from '../../src/calcom/api/client.js';
import { reconcileOnce } from '../../src/reconcile/reconcile.js';
import { startCalcomEmulator, type CalcomEmulator } from '../emulators/calcom/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { apiJson } from './harness.js';

const ATTENDEE = { name: 'Mary Jackson', email: 'mary@example.com', timeZone: 'America/New_York' };

describe.each(STORE_KINDS)('reconciliation paging over updatedAt ties (%s)', (kind) => {
  // Cal.com's clock, set by the test: bookings made without moving it share an updatedAt.
  let clockMs = Date.parse('2026-11-03T08:00:00.000Z');
  let calcom: CalcomEmulator;
  let server: TestServer;

  beforeAll(async () => {
    calcom = await startCalcomEmulator({ now: () => new Date(clockMs), rateLimit: null });
    server = await startTestServer({
      kind,
      env: { CALCOM_API_KEY: calcom.apiKey, CALCOM_API_URL: calcom.url, RECONCILE_INTERVAL_MINUTES: '0' },
    });
  });
  afterAll(async () => {
    await calcom?.close();
    await server?.close();
    await server?.location.cleanup();
  });

  it('reads every booking and ends when three share an instant and two share the next millisecond', async () => {
    const since = new Date(clockMs).toISOString();
    const uids: string[] = [];
    // Three bookings at T, two at T + 1 ms (the smallest case that made pages of 2 alternate for ever).
    for (const [i, tick] of [0, 0, 0, 1, 0].entries()) {
      clockMs += tick;
      const start = new Date(Date.UTC(2031, 7, 1, 9 + i)).toISOString();
      uids.push(calcom.createBookingDirect({ eventTypeId: 1201, start, attendee: ATTENDEE, sendWebhook: false }).uid);
    }
    const client = new CalcomApiClient({ apiKey: calcom.apiKey, apiUrl: calcom.url });
    const maxPages = 20;
    const summary = await reconcileOnce(
      { db: server.app.store.db, client, intake: server.app.intake, log: pino({ level: 'silent' }) },
      { since, pageSize: 2, maxPages },
    );
    expect(summary.pages).toBeLessThan(maxPages);
    expect(summary).toMatchObject({ complete: true, seen: uids.length, recorded: uids.length, failed: 0 });
    for (const uid of uids) {
      const res = await apiJson(server, `/api/appointments?calcom_uid=${uid}`);
      expect(res.body.appointments, uid).toHaveLength(1);
    }
  });
});
