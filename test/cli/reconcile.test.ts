// `calsync reconcile`, both ways: through the running server (--url), and on the store directly, which the
// embedded store allows only while the server is stopped (its data-dir lock says so).
import { afterEach, describe, expect, it } from 'vitest';
import { startCalcomEmulator, type CalcomEmulator } from '../emulators/calcom/index.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/server.js';
import { STORE_KINDS, type StoreLocation } from '../support/stores.js';
import { runCli } from './capture.js';

const ATTENDEE = { name: 'Dorothy Vaughan', email: 'dorothy@example.com', timeZone: 'America/Chicago' };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function rig(kind: 'sqlite' | 'postgres', now?: () => Date): Promise<{ calcom: CalcomEmulator; server: TestServer; location: StoreLocation; env: Record<string, string> }> {
  const calcom = await startCalcomEmulator(now ? { now } : {});
  closers.push(() => calcom.close());
  const server = await startTestServer({ kind, env: { CALCOM_API_KEY: calcom.apiKey, CALCOM_API_URL: calcom.url, RECONCILE_INTERVAL_MINUTES: '0' } });
  closers.push(async () => {
    await server.close();
    await server.location.cleanup();
  });
  calcom.setWebhookDelivery('drop');
  return { calcom, server, location: server.location, env: { ...server.location.env, CALCOM_API_KEY: calcom.apiKey, CALCOM_API_URL: calcom.url } };
}

async function uidsKnown(db: TestServer['app']['store']['db']): Promise<string[]> {
  const rows = await db.selectFrom('appointment_uids').select('uid').execute();
  return rows.map((r) => r.uid);
}

describe.each(STORE_KINDS)('calsync reconcile (%s)', (kind) => {
  it('asks the running server with --url and prints the summary', async () => {
    const { calcom, server } = await rig(kind);
    const lost = calcom.createBookingDirect({ eventTypeId: 1201, start: '2031-11-01T09:00:00Z', attendee: ATTENDEE });
    const run = await runCli(['reconcile', '--url', server.url, '--key', TEST_API_KEY, '--since', '2020-01-01']);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain('reconcile: complete');
    expect(run.out).toMatch(/recorded\s+1 \(reconciled 1\)/);
    expect(await uidsKnown(server.app.store.db)).toContain(lost.uid);

    const again = await runCli(['reconcile', '--url', server.url, '--key', TEST_API_KEY, '--since', '2020-01-01']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/recorded\s+0\b/);
    expect(again.out).toMatch(/unchanged\s+1\b/);
  });

  it('runs on the store itself; with the embedded store only once the server has stopped', async () => {
    const { calcom, server, env } = await rig(kind);
    const lost = calcom.createBookingDirect({ eventTypeId: 1201, start: '2031-11-02T09:00:00Z', attendee: ATTENDEE });
    if (kind === 'sqlite') {
      const refused = await runCli(['reconcile'], { env });
      expect(refused.code).toBe(1);
      expect(refused.err).toContain('is in use by another calsync process');
      expect(refused.err).toContain('calsync reconcile --url');
      await server.close();
    }
    const run = await runCli(['reconcile'], { env });
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain('reconcile: complete');
    expect(run.out).toMatch(/recorded\s+1\b/);

    // What the CLI recorded is what the server finds on its next start.
    const restarted = await startTestServer({ location: server.location, env: { RECONCILE_INTERVAL_MINUTES: '0' } });
    try {
      const listed = (await (await restarted.api(`/api/appointments?calcom_uid=${lost.uid}`)).json()) as any;
      expect(listed.appointments).toHaveLength(1);
      expect(listed.appointments[0].source).toBe('reconcile');
    } finally {
      await restarted.close();
    }
  });

  it('--full reads every booking, also those older than an incremental run looks back; refused with --since', async () => {
    // The emulator's clock dates the booking's updatedAt ten days back: before the last 24 hours a first
    // incremental run reads, so only the full run finds it.
    let clock = Date.now() - 10 * 24 * 3600_000;
    const { calcom, server } = await rig(kind, () => new Date(clock));
    const old = calcom.createBookingDirect({ eventTypeId: 1201, start: '2031-11-03T09:00:00Z', attendee: ATTENDEE });
    clock = Date.now();

    const incremental = await runCli(['reconcile', '--url', server.url, '--key', TEST_API_KEY]);
    expect(incremental.code, incremental.out + incremental.err).toBe(0);
    expect(incremental.out).toMatch(/read\s+0\b/);
    expect(await uidsKnown(server.app.store.db)).not.toContain(old.uid);

    const full = await runCli(['reconcile', '--full', '--url', server.url, '--key', TEST_API_KEY]);
    expect(full.code, full.out + full.err).toBe(0);
    expect(full.out).toContain('since       the beginning');
    expect(full.out).toMatch(/recorded\s+1 \(reconciled 1\)/);
    expect(await uidsKnown(server.app.store.db)).toContain(old.uid);

    const both = await runCli(['reconcile', '--full', '--since', '2020-01-01', '--url', server.url, '--key', TEST_API_KEY]);
    expect(both.code).toBe(2);
    expect(both.err).toContain('--full cannot go with --since');
    expect(both.out).not.toContain('POST');
  });

  it('needs CALCOM_API_KEY', async () => {
    const { server } = await rig(kind);
    const run = await runCli(['reconcile'], { env: server.location.env });
    expect(run.code).toBe(1);
    expect(run.err).toContain('CALCOM_API_KEY is not set');
  });
});
