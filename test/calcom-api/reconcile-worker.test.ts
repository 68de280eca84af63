// The periodic reconciliation as it runs in production: started with the server when CALCOM_API_KEY is
// set, it repairs a lost webhook on its own; on PostgreSQL, instances sharing a database never run it at
// the same time.
import { afterEach, describe, expect, it } from 'vitest';
import { startCalcomEmulator, type CalcomEmulator } from '../emulators/calcom/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { PG_AVAILABLE, STORE_KINDS } from '../support/stores.js';
import { apiJson } from './harness.js';

const ATTENDEE = { name: 'Katherine Johnson', email: 'katherine@example.com', timeZone: 'America/New_York' };
const WORKER_DEADLINE_MS = 20_000;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function emulator(): Promise<CalcomEmulator> {
  const calcom = await startCalcomEmulator();
  closers.push(() => calcom.close());
  return calcom;
}

async function server(calcom: CalcomEmulator, opts: { kind?: 'sqlite' | 'postgres'; interval: string; location?: TestServer['location'] }): Promise<TestServer> {
  const s = await startTestServer({
    ...(opts.location ? { location: opts.location } : { kind: opts.kind ?? 'sqlite' }),
    env: { CALCOM_API_KEY: calcom.apiKey, CALCOM_API_URL: calcom.url, RECONCILE_INTERVAL_MINUTES: opts.interval },
  });
  closers.push(async () => {
    await s.close();
    if (!opts.location) await s.location.cleanup();
  });
  return s;
}

describe.each(STORE_KINDS)('periodic reconciliation (%s)', (kind) => {
  it('repairs a booking whose webhook was lost, without being asked', async () => {
    const calcom = await emulator();
    calcom.setWebhookDelivery('drop');
    const booking = calcom.createBookingDirect({ eventTypeId: 1201, start: '2031-07-01T09:00:00Z', attendee: ATTENDEE });
    const s = await server(calcom, { kind, interval: '1' });
    expect(s.app.workers.map((w) => w.name)).toContain('reconcile');

    const deadline = Date.now() + WORKER_DEADLINE_MS;
    let found: any[] = [];
    while (found.length === 0 && Date.now() < deadline) {
      found = (await apiJson(s, `/api/appointments?calcom_uid=${booking.uid}`)).body.appointments;
      if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ status: 'accepted', source: 'reconcile' });
    const listing = calcom.requests.find((r) => r.url.startsWith('/v2/bookings?'));
    expect(listing?.apiVersion).toBe('2024-08-13');
  });

  it('runs no worker when RECONCILE_INTERVAL_MINUTES is 0', async () => {
    const calcom = await emulator();
    const s = await server(calcom, { kind, interval: '0' });
    expect(s.app.workers.map((w) => w.name)).not.toContain('reconcile');
  });
});

describe.runIf(PG_AVAILABLE)('reconciliation across instances (postgres)', () => {
  it('lets one instance run at a time: another instance asking meanwhile gets 409', async () => {
    const calcom = await emulator();
    const a = await server(calcom, { kind: 'postgres', interval: '0' });
    const b = await server(calcom, { location: a.location, interval: '0' });
    calcom.failNext(1, 429, { retryAfterSeconds: 1 });
    const first = apiJson(a, '/api/reconcile', { method: 'POST', body: {} });
    const deadline = Date.now() + 10_000;
    while (!calcom.requests.some((r) => r.status === 429) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(calcom.requests.some((r) => r.status === 429)).toBe(true);
    const second = await apiJson(b, '/api/reconcile', { method: 'POST', body: {} });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain('another calsync instance');
    expect((await first).status).toBe(200);
    // Once the first has finished, the other instance may run.
    expect((await apiJson(b, '/api/reconcile', { method: 'POST', body: {} })).status).toBe(200);
  });
});
