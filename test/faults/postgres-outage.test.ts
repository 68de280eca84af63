// PostgreSQL going away under load, without touching the machine's PostgreSQL (other test files use it):
// calsync reaches its database through a TCP proxy, and the proxy's cut() closes every connection and drops
// new ones, as a server restart does. While it cannot store, intake must answer 503 store_unavailable
// (never 200 for what is not stored, never 500), /readyz must say so; once the database is back, intake must
// answer 200 again by itself, and every event that was acknowledged must be stored exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventRowsForUid } from '../support/store-peek.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { freshStoreLocation, PG_AVAILABLE, TEST_DATABASE_URL, type StoreLocation } from '../support/stores.js';
import { startTcpProxy, throughProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { send, SignedStream, type StreamedEvent } from './signed-stream.js';

const STREAM_INTERVAL_MS = 10;
const MAX_IN_FLIGHT = 20;
/** Enough answers in each phase to show the behaviour is steady, not one lucky request. */
const ANSWERS_PER_PHASE = 30;
/** Longer than the pool's connect timeout (5 s), after which a frozen database yields 503s. */
const PHASE_DEADLINE_MS = 20_000;
const POLL_MS = 20;

async function until(what: string, probe: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + PHASE_DEADLINE_MS;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${PHASE_DEADLINE_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function describeAnswers(events: StreamedEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) {
    const key = `${e.phase}: ${e.status ?? e.failure} ${e.code ?? ''}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].map(([k, v]) => `${k} ×${v}`).join('; ');
}

describe.runIf(PG_AVAILABLE)('PostgreSQL outage under load (through a TCP proxy)', () => {
  let proxy: TcpProxy;
  let location: StoreLocation;
  let server: TestServer;
  const streams: SignedStream[] = [];

  beforeAll(async () => {
    const pg = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    const fresh = await freshStoreLocation('postgres');
    location = { ...fresh, env: { ...fresh.env, DATABASE_URL: throughProxy(fresh.env.DATABASE_URL as string, proxy) } };
    server = await startTestServer({ location, env: { LOG_LEVEL: 'warn' } });
  });

  afterAll(async () => {
    for (const s of streams) await s.stop();
    // A database that stays away would keep in-flight requests, and so server.close(), waiting.
    proxy?.restore();
    await server?.close();
    await proxy?.close();
    await location?.cleanup();
  });

  async function readyzStatus(): Promise<number> {
    const res = await fetch(server.url + '/readyz');
    await res.arrayBuffer();
    return res.status;
  }

  /** Stream → fault → restore, on the same running server; then the checks every outage must pass. */
  async function outage(fault: 'cut' | 'freeze'): Promise<void> {
    const stream = new SignedStream(server.url, `outage-${fault}-${Date.now()}`, { intervalMs: STREAM_INTERVAL_MS, maxInFlight: MAX_IN_FLIGHT });
    streams.push(stream);
    const droppedBefore = proxy.stats().dropped;
    stream.phase = 'up';
    stream.start();
    await until(`${ANSWERS_PER_PHASE} stored events before the outage`, () => stream.answered('up', 200).length >= ANSWERS_PER_PHASE);

    stream.phase = 'down';
    if (fault === 'cut') proxy.cut();
    else proxy.freeze();
    // Frozen, each round of requests waits out the pool's connect timeout, so fewer answers are awaited.
    const refusalsAwaited = fault === 'cut' ? ANSWERS_PER_PHASE : MAX_IN_FLIGHT / 2;
    await until(`${refusalsAwaited} answers of 503 during the outage`, () => stream.answered('down', 503).length >= refusalsAwaited);
    await until('/readyz to answer 503', async () => (await readyzStatus()) === 503);

    stream.phase = 'back';
    proxy.restore();
    // Nothing is restarted or poked: the pool must find the database again on its own.
    await until(`${ANSWERS_PER_PHASE} stored events after the outage`, () => stream.answered('back', 200).length >= ANSWERS_PER_PHASE);
    await until('/readyz to answer 200 again', async () => (await readyzStatus()) === 200);
    await stream.stop();

    const events = stream.events;
    const summary = describeAnswers(events);
    // Only two answers exist for a signed, valid creation: stored (200) or not stored, retry (503). Every
    // request is answered (a hang would show as a failure with the deadline's message).
    const odd = events.filter((e) => !(e.status === 200 || (e.status === 503 && e.code === 'store_unavailable')));
    expect(odd.map((e) => `#${e.n} ${e.phase}: ${e.status ?? e.failure} ${JSON.stringify(e.body)}`), summary).toEqual([]);
    if (fault === 'cut') expect(proxy.stats().dropped - droppedBefore, 'connections were refused during the outage').toBeGreaterThan(0);

    // Every acknowledged event is stored exactly once, with its appointment.
    const db = server.app.store.db;
    for (const e of events.filter((x) => x.status === 200)) {
      const rows = await eventRowsForUid(db, e.uid);
      expect(rows.length, `event for ${e.uid} (#${e.n}, ${e.phase}) stored ${rows.length} times`).toBe(1);
      expect(rows[0]?.appointment_id, `event #${e.n} has its appointment`).not.toBeNull();
    }

    // What got 503 may or may not have been committed (the answer can be lost after the commit); a retry,
    // as a careful sender's would, is answered 200 and leaves each event stored exactly once.
    const refused = events.filter((e) => e.status === 503);
    for (const e of refused) {
      const retry: StreamedEvent = { ...e, phase: 'retry', status: null, code: null, body: null, failure: null, ms: null };
      await send(server.url, retry);
      expect(retry.status, `retry of #${e.n}: ${JSON.stringify(retry.body)}`).toBe(200);
    }
    for (const e of events) {
      expect((await eventRowsForUid(db, e.uid)).length, `event #${e.n} stored once in the end`).toBe(1);
    }
    const slowest = Math.max(...events.map((e) => e.ms ?? 0));
    console.log(`[postgres-outage ${fault}] ${summary}; retried ${refused.length}; slowest answer ${slowest} ms; proxy ${JSON.stringify(proxy.stats())}`);
  }

  it('restart (every connection closed, new ones refused): 503 while down, 200 again by itself, acknowledged events stored once', async () => {
    await outage('cut');
  });

  // A network partition rather than a restart: connections stay open and silent. Requests holding a pool
  // connection wait until the network returns; the rest get 503 once the pool's connect timeout passes.
  it('partition (connections frozen): never 500, 503 for new requests, recovers by itself, acknowledged events stored once', async () => {
    await outage('freeze');
  });
});
