// The built server as a child process: acknowledged events survive SIGKILL and restart (on both stores),
// one process per DATA_DIR, bad configuration stops start-up with one clear line, and generated secrets are
// printed once and kept.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid, signCalcomBody } from '../../src/calcom/samples.js';
import { spawnServer, waitExit, waitForOutput, waitHealthy, type ChildServer } from '../support/child-server.js';
import { freshStoreLocation, STORE_KINDS, tempDir, type StoreLocation } from '../support/stores.js';

const SECRET = 'whsec_crash_test_secret';
const API_KEY = 'csk_crash_test_api_key_0001';
const EVENTS = 400;
const CONCURRENCY = 32;
/** The kill comes once this many events are acknowledged, so plenty are still in flight or unsent. */
const KILL_AFTER_ACKS = 120;
const LOOKUP_CONCURRENCY = 16;

async function sendCreated(url: string, uid: string, secret: string): Promise<Response> {
  const raw = JSON.stringify(buildCalcomBody('BOOKING_CREATED', { uid }));
  return fetch(`${url}/webhooks/calcom`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalcomBody(raw, secret) },
    body: raw,
  });
}

async function appointmentsFor(url: string, uid: string, key: string): Promise<unknown[]> {
  const res = await fetch(`${url}/api/appointments?calcom_uid=${encodeURIComponent(uid)}`, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`lookup of ${uid} answered ${res.status}`);
  return ((await res.json()) as { appointments: unknown[] }).appointments;
}

/** Runs `task` over `items` with at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

const children: ChildServer[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function start(env: Record<string, string>): Promise<ChildServer> {
  const server = await spawnServer(env);
  children.push(server);
  return server;
}

afterEach(async () => {
  for (const c of children.splice(0)) await c.kill('SIGKILL');
  for (const clean of cleanups.splice(0)) await clean();
});

async function location(kind: 'sqlite' | 'postgres'): Promise<StoreLocation> {
  const loc = await freshStoreLocation(kind);
  cleanups.push(() => loc.cleanup());
  return loc;
}

describe.each(STORE_KINDS)('acknowledged means durable: SIGKILL mid-stream (%s)', (kind) => {
  it('every event answered 2xx before the kill is in the store after a restart', async () => {
    const loc = await location(kind);
    const env = { ...loc.env, CAL_WEBHOOK_SECRET: SECRET, INTERNAL_API_KEY: API_KEY, LOG_LEVEL: 'warn' };
    const first = await start(env);
    await waitHealthy(first);

    const uids = Array.from({ length: EVENTS }, (_, i) => makeBookingUid(`kill9:${kind}:${i}:${Date.now()}`));
    const acked: string[] = [];
    const refusedWithStatus: number[] = [];
    let failed = 0;
    let killed: Promise<unknown> | null = null;
    await inParallel(uids, CONCURRENCY, async (uid) => {
      if (killed) {
        failed += 1;
        return;
      }
      try {
        const res = await sendCreated(first.url, uid, SECRET);
        await res.arrayBuffer();
        if (res.status >= 200 && res.status < 300) acked.push(uid);
        else refusedWithStatus.push(res.status);
      } catch {
        failed += 1; // the connection died with the server
      }
      if (!killed && acked.length >= KILL_AFTER_ACKS) killed = first.kill('SIGKILL');
    });
    expect(await killed).toMatchObject({ signal: 'SIGKILL' });
    expect(refusedWithStatus).toEqual([]);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    // The stream was cut: some events were never acknowledged.
    expect(failed).toBeGreaterThan(0);
    expect(acked.length + failed).toBe(EVENTS);

    const second = await start(env);
    await waitHealthy(second);
    const missing: string[] = [];
    await inParallel(acked, LOOKUP_CONCURRENCY, async (uid) => {
      const found = await appointmentsFor(second.url, uid, API_KEY);
      if (found.length !== 1) missing.push(uid);
    });
    expect(missing).toEqual([]);

    // The restarted server takes new work on the same data.
    const after = await sendCreated(second.url, makeBookingUid(`kill9:${kind}:after`), SECRET);
    expect(after.status).toBe(200);
    // A re-delivery of an acknowledged event is still recognised as a duplicate.
    const again = await sendCreated(second.url, acked[0] as string, SECRET);
    expect(await again.json()).toMatchObject({ status: 'processed', duplicate: true });
  });
});

describe('start-up (sqlite)', () => {
  it('a second server on the same DATA_DIR refuses to start, naming the owner, and exits 1', async () => {
    const dataDir = tempDir();
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const env = { DATA_DIR: dataDir, CAL_WEBHOOK_SECRET: SECRET, INTERNAL_API_KEY: API_KEY, LOG_LEVEL: 'warn' };
    const owner = await start(env);
    await waitHealthy(owner);

    const intruder = await start(env);
    const exit = await waitExit(intruder);
    expect(exit.code).toBe(1);
    const lines = intruder.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DATA_DIR');
    expect(lines[0]).toContain(dataDir);
    expect(lines[0]).toContain(`pid ${owner.child.pid}`);
    // The owner is unharmed.
    expect((await fetch(`${owner.url}/readyz`)).status).toBe(200);

    // A graceful stop releases the directory for the next server.
    expect(await owner.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    const next = await start(env);
    await waitHealthy(next);
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/db' }],
    ['CAL_WEBHOOK_SECRET', { CAL_WEBHOOK_SECRET: 'short' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
  ])('a bad %s exits 1 with one line naming it, before touching the data dir', async (variable, bad) => {
    const dataDir = path.join(tempDir(), 'never-created');
    cleanups.push(async () => fs.rmSync(path.dirname(dataDir), { recursive: true, force: true }));
    const server = await spawnServer({ DATA_DIR: dataDir, ...bad }, { port: 1 });
    children.push(server);
    const exit = await waitExit(server);
    expect(exit.code).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
    expect(lines[0]).toMatch(/configuration/i);
    expect(server.stdout()).toBe('');
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('missing secrets are generated and kept in the data dir; a start without a terminal logs where, never the values', async () => {
    const dataDir = tempDir();
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const env = { DATA_DIR: dataDir, LOG_LEVEL: 'info' };

    const first = await start(env);
    await waitHealthy(first);
    await waitForOutput(first, 'calsync listening');
    // Kept in the data dir for reading (the banner with the values goes only to an interactive terminal).
    const file = fs.readFileSync(path.join(dataDir, 'generated-secrets.env'), 'utf8');
    const secret = /^CAL_WEBHOOK_SECRET=(\S+)$/m.exec(file)?.[1];
    const key = /^INTERNAL_API_KEY=(\S+)$/m.exec(file)?.[1];
    expect(secret).toMatch(/^whsec_/);
    expect(key).toMatch(/^csk_/);
    const out = first.stdout() + first.stderr();
    expect(out).not.toContain(secret as string);
    expect(out).not.toContain(key as string);
    expect(out).toContain(path.join(dataDir, 'generated-secrets.env'));
    // And in use.
    const uid = makeBookingUid(`secrets:${Date.now()}`);
    expect((await sendCreated(first.url, uid, secret as string)).status).toBe(200);
    expect((await sendCreated(first.url, makeBookingUid('secrets:forged'), 'whsec_guess')).status).toBe(401);
    expect(await appointmentsFor(first.url, uid, key as string)).toHaveLength(1);
    expect(await first.kill('SIGTERM')).toEqual({ code: 0, signal: null });

    const second = await start(env);
    await waitHealthy(second);
    await waitForOutput(second, 'calsync listening');
    expect(second.stdout()).not.toContain(secret as string);
    expect(second.stdout()).not.toContain(key as string);
    expect(second.stdout()).not.toMatch(/generated secrets/i);
    // The same secret and key still work.
    expect((await sendCreated(second.url, makeBookingUid(`secrets:again:${Date.now()}`), secret as string)).status).toBe(200);
    expect(await appointmentsFor(second.url, uid, key as string)).toHaveLength(1);
  });
});
