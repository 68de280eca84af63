// The process dies (SIGKILL) while Sessions pages are being written: the create it had in flight still lands
// in Notion after its death. A new process on the same store converges, and no booking gets a second page.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { signPayload } from '../../src/calcom/signature.js';
import { countSinkRowsByState } from '../../src/store/queries/sink-work.js';
import { startTestServer, TEST_API_KEY, TEST_WEBHOOK_SECRET, type TestServer } from '../support/server.js';
import { freshStoreLocation, STORE_KINDS, type StoreLocation } from '../support/stores.js';
import { calcomBody, startNotionWorkspace, waitFor, type NotionWorkspace } from './support/notion.js';

const BOOKINGS = 12;
const CHILD_START_TIMEOUT_MS = 20_000;

async function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/sinks/support/notion-child.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start: ${stderr.slice(-2000)}`)), CHILD_START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const m = /LISTENING (\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
  return { child, url };
}

describe.each(STORE_KINDS)('a crash in the middle of a sync (%s)', (kind) => {
  let notion: NotionWorkspace | undefined;
  let child: ChildProcess | undefined;
  let server: TestServer | undefined;
  let location: StoreLocation | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await server?.close();
    await location?.cleanup();
    await notion?.close();
    child = server = location = notion = undefined;
  });

  it('SIGKILL while a create is in flight: the restart converges without a duplicate', { timeout: 55_000 }, async () => {
    // Latency keeps writes in flight long enough to die in the middle of one.
    notion = await startNotionWorkspace({ latencyMs: { min: 150, max: 300 } });
    location = await freshStoreLocation(kind);
    const env = {
      PORT: '0',
      HOST: '127.0.0.1',
      CAL_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      INTERNAL_API_KEY: TEST_API_KEY,
      LOG_LEVEL: 'warn',
      ...location.env,
      ...notion.env(20),
    };
    const started = await startChild(env);
    child = started.child;

    const run = makeBookingUid().slice(0, 6).toLowerCase();
    const uids = Array.from({ length: BOOKINGS }, () => makeBookingUid());
    for (const [i, uid] of uids.entries()) {
      const raw = JSON.stringify(calcomBody('BOOKING_CREATED', { uid, attendee: { name: `C${i % 5}`, email: `c${i % 5}.${run}@example.com` } }));
      const res = await fetch(`${started.url}/webhooks/calcom`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cal-signature-256': signPayload(raw, TEST_WEBHOOK_SECRET) },
        body: raw,
      });
      expect(res.status).toBe(200);
    }

    // Die while a Sessions page create is on the wire, after some pages exist already.
    const sessionCreatePath = '/v1/pages';
    const inFlight = await waitFor('a Sessions create in flight', () =>
      notion!.sessions().length >= 2
        ? notion!.emulator.requests.find((r) => r.method === 'POST' && r.path === sessionCreatePath && r.status === 0 && JSON.stringify(r.body).includes('Booking UID'))
        : undefined,
    );
    child.kill('SIGKILL');
    await once(child, 'exit');
    // The write the dead process sent lands anyway.
    await waitFor('the orphaned write to land', () => inFlight.status === 200);
    expect(notion.sessions().length).toBeLessThan(BOOKINGS);

    server = await startTestServer({ location, env: { ...notion.env(20), LOG_LEVEL: 'warn' } });
    await waitFor(
      'every appointment synced after the restart',
      async () => {
        const states = await countSinkRowsByState(server!.app.store.db, 'notion');
        return states.synced === BOOKINGS && Object.keys(states).length === 1;
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    for (const uid of uids) expect(notion.sessionsWithUid(uid, true), uid).toHaveLength(1);
    expect(notion.emulator.pagesIn(notion.sessionsDataSourceId, { includeTrashed: true })).toHaveLength(BOOKINGS);
    const clients = notion.emulator.pagesIn(notion.clientsDataSourceId, { includeTrashed: true });
    expect(clients).toHaveLength(5);
    expect(new Set(clients.map((c) => c.plain.Email)).size).toBe(5);
  });
});
