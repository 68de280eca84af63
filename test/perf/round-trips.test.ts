// How many statements each store runs per event on the common path (issue 14): a BOOKING_CREATED of a new
// booking, its BOOKING_RESCHEDULED, then the new booking's BOOKING_CANCELLED, through the real server over
// HTTP. Counted from outside src/, without timing anything:
// - PostgreSQL: calsync connects through a TCP proxy that reads the client→server side of the wire protocol.
//   pg sends one simple Query ('Q') or one extended Parse/Bind/Describe/Execute/Sync ending in Sync ('S') per
//   query, and waits for its answer before the next (no pipelining), so Q + S frames are the round trips.
// - SQLite: better-sqlite3 runs every statement through a Statement's run/all/get/iterate (Kysely's driver,
//   `begin`/`commit`/savepoints included) or Database#exec; their prototypes are wrapped in this process.
//   A statement there is a call into the library, not a network round trip.
// The background workers (outbound webhooks' sink and delivery loops poll the store) are left out: every
// feature is composed as in production, minus its `workers`, so the counts are the request path alone, what
// runs before the 2xx and anything it leaves behind until the store is quiet. Each count is the smallest of
// several identical bookings (stray activity can only add). The test fails when a count rises above today's
// (the regression bound); issue 14's target is at most 4 round trips per event on PostgreSQL.
import net from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { composeFeatures } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import type { Feature } from '../../src/feature.js';
import { startTestServer, TEST_API_KEY, TEST_WEBHOOK_SECRET, type TestServer } from '../support/server.js';
import { freshStoreLocation, STORE_KINDS, TEST_DATABASE_URL, type StoreKind, type StoreLocation } from '../support/stores.js';

/** Issue 14's target for PostgreSQL, in round trips per event. */
const TARGET_PG_ROUND_TRIPS = 4;
/**
 * Today's counts: the regression bound per store and event. Lower them when the hot path gets cheaper; never
 * raise them without saying why. At HEAD 3736065 (2026-12-04) they were sqlite 12/16/15, postgres 12/18/17;
 * lowered after the dedup key, the uids' owners and placements and the uids' parked events became one
 * look-up, the row locks began returning the rows, a fold's uid, parked and processed reads became one,
 * uids already registered stopped being re-inserted, a new appointment's insert began finding its overlaps,
 * and (SQLite) a batch of one event stopped taking a savepoint. Lowered again (postgres 9/13/11 → 5/11/8)
 * when an event of one booking began taking its organizer locks with its uid locks and, on PostgreSQL, a new
 * booking's four inserts, and an applied event's three writes, became one statement each
 * (src/store/queries/event-writes.ts).
 */
const TODAY: Record<StoreKind, Record<EventKind, number>> = {
  sqlite: { created: 7, rescheduled: 11, cancelled: 9 },
  postgres: { created: 5, rescheduled: 11, cancelled: 8 },
};
const SAMPLES = 3;
/**
 * New bookings sent at once: concurrent events share a transaction (group commit), so BEGIN and COMMIT are
 * paid once per batch. Issue 14's target of at most 4 round trips per event on PostgreSQL is met here, for
 * new bookings arriving together (a lone one takes 5: BEGIN, locks, look-up, the writes, COMMIT).
 */
const BURST = 20;
/** Statements per event of such a burst on SQLite (in-process calls, not round trips): the regression bound. */
const TODAY_BURST_SQLITE = 7;
const QUIET_MS = 300;
const QUIET_POLL_MS = 25;
const QUIET_DEADLINE_MS = 5_000;

type EventKind = 'created' | 'rescheduled' | 'cancelled';

interface Counter {
  /** Round trips (PostgreSQL) or statements (SQLite) so far. */
  total(): number;
  /** First SQL keyword of each statement so far ("select", "insert", "begin", ...), for the printout. */
  keywords(): string[];
  close(): Promise<void>;
}

// ---------- SQLite: better-sqlite3's prototypes ----------

let sqliteKeywords: string[] = [];
let sqliteCounting = false;

/** What a statement is, for the printout: its first keyword, or "lock" for an advisory-lock select. */
function keywordOf(sqlText: string): string {
  const head = sqlText.slice(0, 200);
  if (/pg_advisory/i.test(head)) return 'lock';
  return /^\s*([a-z]+)/i.exec(head)?.[1]?.toLowerCase() ?? '?';
}

/** Wraps Statement#run/all/get/iterate and Database#exec once, for this process; counts only while counting. */
function instrumentSqlite(): Counter {
  const probe = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, unknown>;
  probe.close();
  for (const method of ['run', 'all', 'get', 'iterate'] as const) {
    const original = statementProto[method] as (this: { source: string }, ...args: unknown[]) => unknown;
    statementProto[method] = function (this: { source: string }, ...args: unknown[]) {
      if (sqliteCounting) sqliteKeywords.push(keywordOf(this.source));
      return original.apply(this, args);
    };
  }
  const databaseProto = Database.prototype as unknown as Record<string, unknown>;
  const exec = databaseProto.exec as (this: unknown, source: string) => unknown;
  databaseProto.exec = function (this: unknown, source: string) {
    if (sqliteCounting) sqliteKeywords.push(keywordOf(source));
    return exec.call(this, source);
  };
  sqliteCounting = true;
  return {
    total: () => sqliteKeywords.length,
    keywords: () => sqliteKeywords,
    // The wrappers stay for the rest of this file's process, idle.
    async close() {
      sqliteCounting = false;
      sqliteKeywords = [];
    },
  };
}

// ---------- PostgreSQL: a wire-protocol-reading proxy ----------

/** Startup-phase request codes that are not the StartupMessage itself (the client sends another after them). */
const SSL_REQUEST_CODE = 80877103;
const GSSENC_REQUEST_CODE = 80877104;
const CANCEL_REQUEST_CODE = 80877102;
/** Largest frontend message we accept to buffer (calsync's biggest is a raw body of at most 1 MB plus SQL). */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

async function startCountingProxy(target: { host: string; port: number }): Promise<Counter & { port: number }> {
  let roundTrips = 0;
  const keywords: string[] = [];
  /** Named statements' keywords, by name (names are texts' hashes, the same on every connection). */
  const preparedKeywords = new Map<string, string>();
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    let buffered: Buffer = Buffer.alloc(0);
    let startup = true;
    const readMessages = () => {
      for (;;) {
        if (startup) {
          if (buffered.length < 8) return;
          const length = buffered.readInt32BE(0);
          const code = buffered.readInt32BE(4);
          if (buffered.length < length) return;
          buffered = buffered.subarray(length);
          if (code !== SSL_REQUEST_CODE && code !== GSSENC_REQUEST_CODE && code !== CANCEL_REQUEST_CODE) startup = false;
          continue;
        }
        if (buffered.length < 5) return;
        const type = String.fromCharCode(buffered[0] as number);
        const length = buffered.readInt32BE(1);
        if (length < 4 || length > MAX_MESSAGE_BYTES) throw new Error(`unexpected PostgreSQL frontend message length ${length}`);
        if (buffered.length < 1 + length) return;
        const body = buffered.subarray(5, 1 + length);
        if (type === 'Q' || type === 'S') roundTrips += 1;
        if (type === 'Q') keywords.push(keywordOf(body.toString('utf8', 0, Math.min(body.length, 200))));
        if (type === 'P') {
          // Parse: statement name (cstring), then the query text (cstring). A named (prepared) statement is
          // parsed once per connection and then only bound: its keyword is listed at each Bind.
          const nameEnd = body.indexOf(0);
          const keyword = keywordOf(body.toString('utf8', nameEnd + 1, Math.min(body.length, nameEnd + 201)));
          if (nameEnd === 0) keywords.push(keyword);
          else preparedKeywords.set(body.toString('utf8', 0, nameEnd), keyword);
        }
        if (type === 'B') {
          // Bind: portal name (cstring), then statement name (cstring).
          const portalEnd = body.indexOf(0);
          const statement = body.toString('utf8', portalEnd + 1, body.indexOf(0, portalEnd + 1));
          if (statement !== '') keywords.push(preparedKeywords.get(statement) ?? '?');
        }
        buffered = buffered.subarray(1 + length);
      }
    };
    client.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      try {
        readMessages();
      } catch (err) {
        client.destroy(err as Error);
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', closeBoth);
    client.on('close', closeBoth);
    upstream.on('error', closeBoth);
    upstream.on('close', closeBoth);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    total: () => roundTrips,
    keywords: () => keywords,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------- the server and the measurement ----------

/** Every feature as production composes it, without its background loops. */
function featuresWithoutWorkers(env: Record<string, string>): Feature[] {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', CAL_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, INTERNAL_API_KEY: TEST_API_KEY, ...env });
  return composeFeatures(config).map((feature) => {
    const { workers: _workers, ...rest } = feature;
    return rest;
  });
}

/** Waits until `counter` has not moved for QUIET_MS (bounded by QUIET_DEADLINE_MS). */
async function quiet(counter: Counter): Promise<void> {
  const deadline = Date.now() + QUIET_DEADLINE_MS;
  let last = counter.total();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, QUIET_POLL_MS));
    const now = counter.total();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= QUIET_MS) return;
  }
  throw new Error(`the store did not go quiet within ${QUIET_DEADLINE_MS} ms (a background loop is running?)`);
}

interface Measured {
  count: number;
  keywords: string[];
  answer: { status: string; appointment_id: number; action: string };
}

/** BURST new bookings sent at once; what they cost together, per event. */
async function measureBurst(server: TestServer, counter: Counter, kind: StoreKind): Promise<{ perEvent: number; keywords: string[] }> {
  await quiet(counter);
  const before = counter.total();
  const keywordsBefore = counter.keywords().length;
  const bodies = Array.from({ length: BURST }, (_, i) =>
    buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid(`round-trips-burst-${kind}-${i}`), ...slot(300 + i) }),
  );
  const answers = await Promise.all(bodies.map((b) => server.sendWebhook(b)));
  for (const res of answers) {
    expect(res.status).toBe(200);
    expect(((await res.json()) as { action: string }).action).toBe('created');
  }
  await quiet(counter);
  return { perEvent: (counter.total() - before) / BURST, keywords: counter.keywords().slice(keywordsBefore) };
}

async function measureOne(server: TestServer, counter: Counter, body: Record<string, unknown>): Promise<Measured> {
  await quiet(counter);
  const before = counter.total();
  const keywordsBefore = counter.keywords().length;
  const res = await server.sendWebhook(body);
  const answer = (await res.json()) as Measured['answer'];
  expect(res.status).toBe(200);
  await quiet(counter);
  return { count: counter.total() - before, keywords: counter.keywords().slice(keywordsBefore), answer };
}

function slot(i: number): { startTime: string; endTime: string } {
  const start = Date.UTC(2032, 0, 5, 9 + 2 * i);
  return { startTime: new Date(start).toISOString(), endTime: new Date(start + 30 * 60_000).toISOString() };
}

function summarise(keywords: string[]): string {
  const counts = new Map<string, number>();
  for (const k of keywords) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}×${n}`).join(' ');
}

describe.each(STORE_KINDS)('round trips per event on %s (issue 14)', (kind) => {
  let location: StoreLocation;
  let counter: Counter;
  let server: TestServer;
  const results: Record<EventKind, Measured[]> = { created: [], rescheduled: [], cancelled: [] };
  let burst: { perEvent: number; keywords: string[] } | null = null;

  beforeAll(async () => {
    location = await freshStoreLocation(kind);
    let env = location.env;
    if (kind === 'postgres') {
      const target = new URL(TEST_DATABASE_URL);
      const proxy = await startCountingProxy({ host: target.hostname, port: Number(target.port || 5432) });
      counter = proxy;
      const u = new URL(location.env.DATABASE_URL as string);
      u.hostname = '127.0.0.1';
      u.port = String(proxy.port);
      env = { ...location.env, DATABASE_URL: u.toString() };
    } else {
      counter = instrumentSqlite();
    }
    server = await startTestServer({ kind, location, env, app: { features: featuresWithoutWorkers(env) } });
    // One booking first, unmeasured: first-use costs (pool connections, prepared statements) are not per event.
    for (let i = 0; i <= SAMPLES; i++) {
      const uid = makeBookingUid(`round-trips-${kind}-${i}`);
      const newUid = makeBookingUid(`round-trips-${kind}-${i}-moved`);
      const created = await measureOne(server, counter, buildCalcomBody('BOOKING_CREATED', { uid, ...slot(i) }));
      const rescheduled = await measureOne(server, counter, buildCalcomBody('BOOKING_RESCHEDULED', { uid: newUid, rescheduleUid: uid, ...slot(i + 100) }));
      const cancelled = await measureOne(server, counter, buildCalcomBody('BOOKING_CANCELLED', { uid: newUid, ...slot(i + 100) }));
      if (i === 0) continue;
      results.created.push(created);
      results.rescheduled.push(rescheduled);
      results.cancelled.push(cancelled);
    }
    burst = await measureBurst(server, counter, kind);
  }, 50_000);

  afterAll(async () => {
    await server?.close();
    await counter?.close();
    await location?.cleanup();
  });

  it.each(['created', 'rescheduled', 'cancelled'] as const)('%s stays within today’s count', (event) => {
    const samples = results[event];
    expect(samples).toHaveLength(SAMPLES);
    for (const s of samples) expect(s.answer.action).toBe(event);
    // The same path each time: one appointment per booking, found again by the later events.
    const best = samples.reduce((a, b) => (b.count < a.count ? b : a));
    const unit = kind === 'postgres' ? 'round trips' : 'statements';
    const target = kind === 'postgres' ? `; issue 14 target ≤ ${TARGET_PG_ROUND_TRIPS}` : '';
    process.stdout.write(
      `[round-trips] ${kind} ${event}: ${best.count} ${unit} per event (samples ${samples.map((s) => s.count).join(', ')}; ` +
        `regression bound ${TODAY[kind][event]}${target}) ${summarise(best.keywords)}\n`,
    );
    expect(best.count).toBeGreaterThan(0);
    expect(best.count).toBeLessThanOrEqual(TODAY[kind][event]);
  });

  it(`new bookings arriving together cost at most ${TARGET_PG_ROUND_TRIPS} round trips each on PostgreSQL (group commit)`, () => {
    if (!burst) throw new Error('the burst was not measured');
    const unit = kind === 'postgres' ? 'round trips' : 'statements';
    process.stdout.write(`[round-trips] ${kind} ${BURST} new bookings at once: ${burst.perEvent.toFixed(2)} ${unit} per event; ${summarise(burst.keywords)}\n`);
    expect(burst.perEvent).toBeGreaterThan(0);
    expect(burst.perEvent).toBeLessThanOrEqual(kind === 'postgres' ? TARGET_PG_ROUND_TRIPS : TODAY_BURST_SQLITE);
  });
});
