// Incremental reconciliation against the Cal.com emulator on both stores: a run reads only what changed
// since the high-water mark (afterUpdatedAt + sortUpdatedAt, pages of 250), so a periodic run costs about one
// request per 250 changed bookings plus one, counted in the emulator. A manual full run still reads all.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CalcomApiClient, type CalcomRequest } from '../../src/calcom/api/client.js';
import { reconcileOnce, RECONCILE_CURSOR_KEY, RECONCILE_OVERLAP_MS } from '../../src/reconcile/reconcile.js';
import { selectSetting } from '../../src/store/queries/settings.js';
import { startCalcomEmulator, type CalcomEmulator } from '../emulators/calcom/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { apiJson } from './harness.js';

const ATTENDEE = { name: 'Katherine Johnson', email: 'katherine@example.com', timeZone: 'America/New_York' };
const PAGE = 250;

describe.each(STORE_KINDS)('incremental reconciliation (%s)', (kind) => {
  // Cal.com's clock, moved by the test: every change gets its own updatedAt.
  let clockMs = Date.parse('2026-11-02T08:00:00.000Z');
  let calcom: CalcomEmulator;
  let server: TestServer;

  beforeAll(async () => {
    calcom = await startCalcomEmulator({ now: () => new Date(clockMs) });
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

  /** Bookings made at Cal.com whose webhooks never arrived, five seconds apart. */
  function missedBookings(n: number, day: number): string[] {
    const uids: string[] = [];
    for (let i = 0; i < n; i++) {
      clockMs += 5_000;
      const start = new Date(Date.UTC(2031, 2, day, 0, 0) + i * 30 * 60_000).toISOString();
      uids.push(calcom.createBookingDirect({ eventTypeId: 1201, start, attendee: ATTENDEE, sendWebhook: false }).uid);
    }
    return uids;
  }

  const listings = () => calcom.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/v2/bookings?'));

  it('reads only what changed since the high-water mark: about ceil(N/250)+1 requests for N changes', async () => {
    missedBookings(30, 1);
    const first = await apiJson(server, '/api/reconcile', { method: 'POST', body: { full: true } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ complete: true, recorded: 30, since: null });
    const mark = await selectSetting(server.app.store.db, RECONCILE_CURSOR_KEY);
    expect(mark).toBe(new Date(clockMs).toISOString());
    expect(first.body.high_water_mark).toBe(mark);

    // Later, N bookings change while no webhook arrives.
    clockMs += 2 * RECONCILE_OVERLAP_MS;
    const n = 260;
    const changed = missedBookings(n, 10);
    const before = listings().length;
    const run = await apiJson(server, '/api/reconcile', { method: 'POST', body: {} });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ complete: true, recorded: n, failed: 0, since: new Date(Date.parse(mark!) - RECONCILE_OVERLAP_MS).toISOString() });
    const made = listings().slice(before);
    expect(made).toHaveLength(run.body.pages);
    expect(made.length).toBeGreaterThanOrEqual(Math.ceil(n / PAGE));
    expect(made.length).toBeLessThanOrEqual(Math.ceil(n / PAGE) + 1);
    for (const r of made) {
      const q = new URL(r.url, 'http://x').searchParams;
      expect(q.get('sortUpdatedAt')).toBe('asc');
      expect(q.get('take')).toBe(String(PAGE));
      expect(q.get('afterUpdatedAt')).not.toBeNull();
    }
    // Every changed booking is now an appointment; the mark moved to the newest change.
    for (const uid of [changed[0], changed[n - 1]]) {
      const res = await apiJson(server, `/api/appointments?calcom_uid=${uid}`);
      expect(res.body.appointments).toHaveLength(1);
    }
    expect(await selectSetting(server.app.store.db, RECONCILE_CURSOR_KEY)).toBe(new Date(clockMs).toISOString());

    // Nothing changed since: one request (re-reading only the overlap), nothing recorded.
    clockMs += 2 * RECONCILE_OVERLAP_MS;
    const quiet = listings().length;
    const idle = await apiJson(server, '/api/reconcile', { method: 'POST', body: {} });
    const inOverlap = calcom.bookings.filter((b) => Date.parse(String(b.updatedAt)) >= Date.parse(String(run.body.high_water_mark)) - RECONCILE_OVERLAP_MS).length;
    expect(inOverlap).toBeLessThan(PAGE);
    expect(idle.body).toMatchObject({ complete: true, recorded: 0, seen: inOverlap, unchanged: inOverlap, pages: 1 });
    expect(listings().length - quiet).toBe(1);
  });

  it('still does a manual full run ({"full": true}), which reads every booking and records nothing new', async () => {
    const before = listings().length;
    const full = await apiJson(server, '/api/reconcile', { method: 'POST', body: { full: true } });
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ complete: true, since: null, recorded: 0, seen: calcom.bookings.length });
    const made = listings().slice(before);
    expect(new URL(made[0]!.url, 'http://x').searchParams.get('afterUpdatedAt')).toBeNull();
    expect(made.length).toBeLessThanOrEqual(Math.ceil(calcom.bookings.length / PAGE) + 1);
  });

  it('does not skip a booking when another one changes while the run pages (the order shifts under it)', async () => {
    clockMs += 2 * RECONCILE_OVERLAP_MS;
    const from = new Date(clockMs).toISOString();
    const uids = missedBookings(7, 20);
    let listed = 0;
    // After the first page, the first booking read changes at Cal.com: it moves to the end of the updatedAt
    // order, so every later booking moves one place up. A plain growing offset would now jump over one.
    class ShiftingClient extends CalcomApiClient {
      override async request(req: CalcomRequest): Promise<unknown> {
        const answer = await super.request(req);
        if (req.path === '/v2/bookings' && req.query?.bookingUid === undefined && ++listed === 1) {
          clockMs += 5_000;
          calcom.cancelBooking(uids[0]!, { reason: 'Changed while paging', sendWebhook: false });
        }
        return answer;
      }
    }
    const client = new ShiftingClient({ apiKey: calcom.apiKey, apiUrl: calcom.url });
    const summary = await reconcileOnce(
      { db: server.app.store.db, client, intake: server.app.intake, log: pino({ level: 'silent' }) },
      { since: from, pageSize: 3 },
    );
    expect(summary.complete).toBe(true);
    expect(listed).toBeGreaterThanOrEqual(3);
    for (const uid of uids) {
      const res = await apiJson(server, `/api/appointments?calcom_uid=${uid}`);
      expect(res.body.appointments, uid).toHaveLength(1);
    }
    // The change made during the run was read too.
    expect((await apiJson(server, `/api/appointments?calcom_uid=${uids[0]}`)).body.appointments[0].status).toBe('cancelled');
  });

  it('refuses full together with since (422), running nothing', async () => {
    const before = listings().length;
    const res = await apiJson(server, '/api/reconcile', { method: 'POST', body: { full: true, since: '2026-01-01' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_error');
    expect(listings().length).toBe(before);
  });
});
