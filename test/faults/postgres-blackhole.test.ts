// Issue 11, item 3: PostgreSQL behind a network black hole (connections stay open, nothing ever answers,
// new connections are accepted and never reach the database). Every route that needs the store must answer
// 503 store_unavailable within 10 s (the contract), never hang and never 500; once the network forwards
// again, everything answers 200 by itself, and what was refused is stored exactly once when sent again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { eventRowsForUid } from '../support/store-peek.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/server.js';
import { freshStoreLocation, PG_AVAILABLE, TEST_DATABASE_URL, type StoreLocation } from '../support/stores.js';
import { startTcpProxy, throughProxy, type TcpProxy } from '../support/tcp-proxy.js';

/** The contract's bound, plus a little for a loaded test machine to deliver the answer. */
const ANSWER_WITHIN_MS = 10_500;
/** A request not answered by then is a hang. */
const HANG_MS = 20_000;
const RECOVERY_DEADLINE_MS = 30_000;
const POLL_MS = 100;

interface Answer {
  what: string;
  status: number | null;
  code: string | null;
  ms: number;
  failure: string | null;
}

async function timedFetch(what: string, url: string, init: RequestInit = {}): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(HANG_MS) });
    const text = await res.text();
    let code: string | null = null;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
    } catch {
      // Not JSON: no code.
    }
    return { what, status: res.status, code, ms: Date.now() - started, failure: null };
  } catch (err) {
    return { what, status: null, code: null, ms: Date.now() - started, failure: err instanceof Error ? err.message : String(err) };
  }
}

describe.runIf(PG_AVAILABLE)('PostgreSQL behind a network black hole', () => {
  let proxy: TcpProxy;
  let location: StoreLocation;
  let server: TestServer;
  let seededUid: string;
  let seededId: number;

  beforeAll(async () => {
    const pg = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    const fresh = await freshStoreLocation('postgres');
    location = { ...fresh, env: { ...fresh.env, DATABASE_URL: throughProxy(fresh.env.DATABASE_URL as string, proxy) } };
    server = await startTestServer({ location, env: { LOG_LEVEL: 'warn' } });
    seededUid = makeBookingUid('blackhole-seed');
    const res = await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid: seededUid }));
    expect(res.status).toBe(200);
    seededId = ((await res.json()) as { appointment_id: number }).appointment_id;
  });

  afterAll(async () => {
    proxy?.restore();
    await server?.close();
    await proxy?.close();
    await location?.cleanup();
  });

  function requests(uids: string[]): Promise<Answer>[] {
    const api = (what: string, path: string) => timedFetch(what, server.url + path, { headers: { authorization: `Bearer ${TEST_API_KEY}` } });
    return [
      ...uids.map((uid) => {
        const raw = JSON.stringify(buildCalcomBody('BOOKING_CREATED', { uid }));
        return server.sendWebhook(null, { raw }).then(
          async (res) => ({ what: `webhook ${uid}`, status: res.status, code: ((await res.json()) as { error?: { code?: string } }).error?.code ?? null, ms: 0, failure: null }),
          (err: unknown) => ({ what: `webhook ${uid}`, status: null, code: null, ms: 0, failure: String(err) }),
        );
      }),
      api('appointments by uid', `/api/appointments?calcom_uid=${seededUid}`),
      api('appointment by id', `/api/appointments/${seededId}`),
      api('events', '/api/events'),
      api('event by id', '/api/events/1'),
      timedFetch('readyz', server.url + '/readyz'),
    ];
  }

  it('answers 503 store_unavailable within 10 s on every store route, then recovers by itself', async () => {
    proxy.blackhole();
    const refusedUids = Array.from({ length: 12 }, (_, i) => makeBookingUid(`blackhole-${i}`));
    const started = Date.now();
    const answers = await Promise.all(requests(refusedUids).map((p) => p.then((a) => ({ ...a, ms: Date.now() - started }))));
    const summary = answers.map((a) => `${a.what}: ${a.status ?? a.failure} ${a.code ?? ''} ${a.ms} ms`).join('\n');
    console.log(`[postgres-blackhole] slowest answer ${Math.max(...answers.map((a) => a.ms))} ms`);
    for (const a of answers) {
      expect(a.status, summary).toBe(503);
      expect(a.ms, summary).toBeLessThanOrEqual(ANSWER_WITHIN_MS);
      if (a.what !== 'readyz') expect(a.code, summary).toBe('store_unavailable');
    }

    proxy.restore();
    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    for (;;) {
      const again = await Promise.all(requests([makeBookingUid(`after-${Date.now()}`)]));
      if (again.every((a) => a.status === 200)) break;
      if (Date.now() > deadline) throw new Error(`not recovered after ${RECOVERY_DEADLINE_MS} ms:\n${again.map((a) => `${a.what}: ${a.status ?? a.failure} ${a.code ?? ''}`).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }

    // What was refused was not acknowledged: sent again, each is stored exactly once.
    for (const uid of refusedUids) {
      const res = await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid }));
      expect(res.status).toBe(200);
      expect(await eventRowsForUid(server.app.store.db, uid)).toHaveLength(1);
    }
  });
});
