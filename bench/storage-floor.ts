// bench/storage-floor: what calsync's data model costs the embedded SQLite store per event, with no JavaScript
// of calsync in the timed loop, next to the floor (bench/durable-floor-server.ts: one `deliveries` row with a
// unique key per event). Issue 14 asks calsync's SQLite server CPU per event to be at most 1.3× the floor's;
// this shows how much of that budget the storage writes alone take.
// - The statements are calsync's own: for each realistic BOOKING_CREATED body (bench/paced.ts, one organizer,
//   consecutive non-overlapping slots), the real intake (recordEvent with the embedded store's step-by-step
//   writes, a `webhooks` sink, no-op locks) runs once before timing against a Kysely handle whose driver only
//   records what it is asked: the first look-up (dedup key + uid owners + parked events, one union), the
//   appointment insert with its overlap `exists` returning id and conflict, the appointment_uids insert, the
//   events insert (raw body, headers JSON, event_json) and the sink_state upsert. The bench checks that this
//   is exactly that list, then replays it with better-sqlite3 prepared statements made once (the appointment
//   id returned by the insert is bound into the later statements, as calsync does).
// - Databases: a fresh calsync schema made by openStore({ kind: 'sqlite' }) and closed, copied once per
//   variant; a floor database like durable-floor-server.ts. All are opened like src/store/sqlite.ts (EXCLUSIVE
//   locking, WAL, synchronous=FULL) with wal_autocheckpoint=0, so the WAL holds every frame the round wrote.
// - Variants, each N events after a warm-up, each event in a transaction of its own (begin … commit, one
//   fsync each, as calsync at low rates): floor; calsync-writes; and ablations: events-only (the events
//   insert alone, all its indexes), events-no-event-json (event_json null), events-two-indexes (events with
//   only the dedup_key unique index and (appointment_id, id)), no-sink-row (calsync-writes without the
//   sink_state upsert). They run interleaved, since the machine's speed drifts: in each round every variant
//   takes its N events in blocks of 100 in turn with the others (the order rotating), timed block by block.
// - Per variant: CPU per event (process.cpuUsage user+system over its timed blocks ÷ N), user and system
//   apart, wall per event, WAL pages per commit (frames the round appended: WAL growth ÷ (page size + 24),
//   checked against wal_checkpoint's count), the CPU of checkpointing those frames afterwards (FULL, then
//   TRUNCATE, which also resets the WAL before the next round) per event, and CPU ÷ the floor's in the same
//   round.
// Not included: HTTP, signature check, JSON/Zod parsing, the fold, Kysely: everything calsync's JavaScript
// does. The checkpoint column under-counts a real server's, which checkpoints every 1000 frames and so
// writes hot pages back more often than one checkpoint at the end does.
//   npm run build && node dist/bench/storage-floor.js [--events 3000] [--rounds 2] [--warmup 300]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import { pino } from 'pino';
import { parseDelivery } from '../src/calcom/parse.js';
import { bookingLocksFor } from '../src/intake/locks.js';
import { recordEvent, type IncomingEvent, type IntakeContext } from '../src/intake/record-event.js';
import { EVENT_WRITES_STEP_BY_STEP } from '../src/store/queries/event-writes.js';
import { SINGLE_WRITER_LOCKS } from '../src/store/locks.js';
import type { Db } from '../src/store/db.js';
import { SQLITE_FILE_NAME } from '../src/store/sqlite.js';
import { openStore } from '../src/store/store.js';
import { bookingBodies } from './paced.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '300' },
  },
});
const EVENTS = Number(values.events);
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);
const MAX_EVENTS = 100_000;
const MAX_ROUNDS = 10;
if (!(Number.isInteger(EVENTS) && EVENTS > 0 && EVENTS <= MAX_EVENTS)) throw new Error(`--events must be an integer in [1, ${MAX_EVENTS}]`);
if (!(Number.isInteger(ROUNDS) && ROUNDS > 0 && ROUNDS <= MAX_ROUNDS)) throw new Error(`--rounds must be an integer in [1, ${MAX_ROUNDS}]`);
if (!(Number.isInteger(WARMUP) && WARMUP >= 0 && WARMUP <= MAX_EVENTS)) throw new Error(`--warmup must be an integer in [0, ${MAX_EVENTS}]`);

const SECRET = 'bench_secret_1';
const SINKS = ['webhooks'] as const;
/** What the webhook route keeps of paced.ts's request headers (src/http/routes/webhooks.ts keptHeaders). */
const HEADERS = { 'content-type': 'application/json', 'signature-variant': 'raw', 'signature-secret-index': '0' };
/** Stand-ins the recording driver returns for new rows' ids, replaced by the real ids when replayed. */
const APPOINTMENT_ID_MARK = 987_654_321;
const EVENT_ID_MARK = 987_654_322;
const WAL_FRAME_HEADER_BYTES = 24;
const WAL_HEADER_BYTES = 32;

// ---- Recording calsync's statements (outside every timed region) ----

/** A Kysely driver that runs nothing: it records each statement and answers like an empty store would. */
class RecordingDriver implements Driver {
  recorded: CompiledQuery[] = [];
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const recorded = this.recorded;
    return {
      async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        recorded.push(query);
        const text = query.sql.trimStart().toLowerCase();
        if (text.startsWith('insert into appointments ')) return { rows: [{ id: APPOINTMENT_ID_MARK, conflict: 0 } as R] };
        if (text.startsWith('insert into events ')) return { rows: [{ id: EVENT_ID_MARK } as R] };
        return { rows: [] };
      },
      async *streamQuery(): AsyncIterableIterator<QueryResult<never>> {
        throw new Error('not recorded');
      },
    };
  }
  async beginTransaction(): Promise<void> {}
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

const recorder = new RecordingDriver();
const recordingDb = new Kysely<never>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => recorder,
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
}) as unknown as Db;
const intakeContext: IntakeContext = {
  now: () => new Date(),
  sinks: SINKS,
  locks: bookingLocksFor({ locks: SINGLE_WRITER_LOCKS }),
  writes: EVENT_WRITES_STEP_BY_STEP,
  log: pino({ level: 'silent' }),
};

/** The statements of a new booking, in calsync's order; their SQL text is checked to be the same for every event. */
const STEPS = ['lookup', 'appointment', 'uids', 'event', 'sink'] as const;
type Step = (typeof STEPS)[number];
const STEP_PREFIXES: Record<Step, RegExp> = {
  lookup: /^select 'event' as kind\b[\s\S]*union all[\s\S]*union all/,
  appointment: /^insert into appointments \([\s\S]*case when exists \([\s\S]*returning id, conflict$/,
  uids: /^insert into appointment_uids \(uid, appointment_id\) values \(\?, \?\) on conflict \(uid\) do nothing$/,
  event: /^insert into events \([\s\S]*on conflict \(dedup_key\) do nothing\s+returning id$/,
  sink: /^insert into sink_state \([\s\S]*on conflict \(sink, appointment_id\) do update set/,
};

interface RecordedEvent {
  sql: Record<Step, string>;
  params: Record<Step, unknown[]>;
  /** Where the new appointment's id goes in each statement's parameters. */
  idSlots: Record<Step, number[]>;
  /** Where event_json sits in the events insert's parameters. */
  eventJsonSlot: number;
  dedupKey: string;
  body: string;
  bodyBytes: number;
  eventJsonBytes: number;
}

const bodies = bookingBodies(SECRET);

async function recordNextEvent(): Promise<RecordedEvent> {
  const { body } = bodies.next();
  const parsed = parseDelivery(JSON.parse(body));
  if (!parsed.ok || !('event' in parsed)) throw new Error('bench body did not parse as a booking event');
  const incoming: IncomingEvent = {
    source: 'webhook',
    trigger: parsed.trigger,
    dedupKey: parsed.dedupKey,
    bookingUid: parsed.bookingUid,
    rawBody: body,
    headers: HEADERS,
    event: parsed.event,
    skipReason: null,
    replayOf: null,
    webhookVersion: null,
  };
  recorder.recorded = [];
  const outcome = await recordEvent(recordingDb, incoming, intakeContext);
  if (outcome.status !== 'processed') throw new Error(`recorded intake ended ${outcome.status}, not processed`);
  const queries = recorder.recorded;
  if (queries.length !== STEPS.length) throw new Error(`calsync ran ${queries.length} statements for a new booking, not ${STEPS.length}: ${queries.map((q) => q.sql.slice(0, 40)).join(' | ')}`);
  const sqlOf = {} as Record<Step, string>;
  const params = {} as Record<Step, unknown[]>;
  const idSlots = {} as Record<Step, number[]>;
  STEPS.forEach((step, i) => {
    const q = queries[i] as CompiledQuery;
    const text = q.sql.trim();
    if (!STEP_PREFIXES[step].test(text)) throw new Error(`statement ${i + 1} is not the expected ${step}: ${text.slice(0, 120)}`);
    sqlOf[step] = text;
    params[step] = [...q.parameters];
    idSlots[step] = params[step].flatMap((p, j) => (p === APPOINTMENT_ID_MARK ? [j] : []));
  });
  const eventJson = JSON.stringify(parsed.event);
  const eventJsonSlot = params.event.indexOf(eventJson);
  if (eventJsonSlot < 0) throw new Error('event_json not found among the events insert parameters');
  if (params.event.indexOf(body) < 0) throw new Error('raw body not found among the events insert parameters');
  return { sql: sqlOf, params, idSlots, eventJsonSlot, dedupKey: parsed.dedupKey, body, bodyBytes: Buffer.byteLength(body), eventJsonBytes: Buffer.byteLength(eventJson) };
}

// ---- Databases ----

const root = fs.mkdtempSync(path.join(process.env.DATA_DIR ?? os.tmpdir(), 'storage-floor-'));

function openLikeCalsync(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Every frame of the measured loop stays in the WAL (counted, then checkpointed apart).
  db.pragma('wal_autocheckpoint = 0');
  return db;
}

const VARIANTS = ['floor', 'calsync-writes', 'events-only', 'events-no-event-json', 'events-two-indexes', 'no-sink-row'] as const;
type Variant = (typeof VARIANTS)[number];

interface Runner {
  db: Database.Database;
  file: string;
  /** Runs one event in its own transaction. */
  run(e: RecordedEvent, seq: number): void;
}

function makeRunners(template: RecordedEvent, schemaFile: string): Record<Variant, Runner> {
  const runners = {} as Record<Variant, Runner>;
  for (const variant of VARIANTS) {
    const dir = path.join(root, variant);
    fs.mkdirSync(dir);
    const file = path.join(dir, variant === 'floor' ? 'floor.db' : SQLITE_FILE_NAME);
    if (variant !== 'floor') fs.copyFileSync(schemaFile, file);
    const db = openLikeCalsync(file);
    const begin = db.prepare('begin');
    const commit = db.prepare('commit');
    if (variant === 'floor') {
      db.exec('create table if not exists deliveries (id integer primary key, dedup_key text not null unique, raw_body text not null)');
      const insert = db.prepare('insert into deliveries (dedup_key, raw_body) values (?, ?) on conflict (dedup_key) do nothing');
      // The floor keys a delivery by a hash of its text; calsync's dedup key is of the same kind and size.
      runners[variant] = {
        db,
        file,
        run(e) {
          begin.run();
          insert.run(e.dedupKey, e.body);
          commit.run();
        },
      };
      continue;
    }
    if (variant === 'events-two-indexes') {
      // events_result became the partial events_unprocessed in migration 008; either way only two remain.
      for (const index of ['events_booking_uid', 'events_received', 'events_result', 'events_unprocessed']) db.exec(`drop index if exists ${index}`);
      db.exec('vacuum');
    }
    const stmt = {} as Record<Step, Database.Statement>;
    for (const step of STEPS) stmt[step] = db.prepare(template.sql[step]);
    const eventStmt = stmt.event;
    if (variant === 'calsync-writes' || variant === 'no-sink-row') {
      const withSink = variant === 'calsync-writes';
      runners[variant] = {
        db,
        file,
        run(e) {
          begin.run();
          const found = stmt.lookup.all(e.params.lookup);
          if (found.length !== 0) throw new Error('look-up found an earlier delivery or owner of a new booking');
          const [a] = stmt.appointment.all(e.params.appointment) as { id: number; conflict: number }[];
          if (a === undefined) throw new Error('appointment insert returned no id');
          if (a.conflict !== 0) throw new Error('a bench booking overlapped another');
          for (const j of e.idSlots.uids) e.params.uids[j] = a.id;
          stmt.uids.run(e.params.uids);
          for (const j of e.idSlots.event) e.params.event[j] = a.id;
          if (eventStmt.all(e.params.event).length !== 1) throw new Error('events insert returned no id');
          if (withSink) {
            for (const j of e.idSlots.sink) e.params.sink[j] = a.id;
            stmt.sink.run(e.params.sink);
          }
          commit.run();
        },
      };
      continue;
    }
    const nullJson = variant === 'events-no-event-json';
    runners[variant] = {
      db,
      file,
      run(e, seq) {
        // An appointment id per event, as calsync-writes gives (one row per appointment in the index).
        for (const j of e.idSlots.event) e.params.event[j] = seq;
        if (nullJson) e.params.event[e.eventJsonSlot] = null;
        begin.run();
        if (eventStmt.all(e.params.event).length !== 1) throw new Error('events insert returned no id');
        commit.run();
      },
    };
  }
  return runners;
}

// ---- Measuring ----

interface Measured {
  round: number;
  variant: Variant;
  cpuUs: number;
  userUs: number;
  systemUs: number;
  wallUs: number;
  pagesPerCommit: number;
  checkpointCpuUs: number;
}

function walBytes(file: string): number {
  try {
    return fs.statSync(file + '-wal').size;
  } catch {
    return 0;
  }
}

const sequences = new Map<Variant, number>();

// The recording's garbage (parsing, Zod, Kysely) is collected before each timed block rather than during it:
// a full collection when a round starts, the young generation (where that garbage is) before each block.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;

/** Events timed at a stretch before the next variant's turn: fine enough that drift falls on all alike. */
const BLOCK_EVENTS = 100;

async function recordEvents(n: number): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let i = 0; i < n; i++) out.push(await recordNextEvent());
  return out;
}

/**
 * One round: every variant warmed up, its WAL emptied, then its N events in blocks of BLOCK_EVENTS taken
 * in turn with the other variants' (the order rotating each block), each block's events recorded and the
 * garbage collected before its clock starts; then each variant's WAL frames counted and checkpointed.
 */
async function measureRound(round: number, runners: Record<Variant, Runner>): Promise<Measured[]> {
  const acc = new Map<Variant, { user: number; system: number; wallNs: number; walBefore: number }>();
  for (const variant of VARIANTS) {
    const runner = runners[variant];
    let seq = sequences.get(variant) ?? 0;
    for (const e of await recordEvents(WARMUP)) runner.run(e, ++seq);
    sequences.set(variant, seq);
    runner.db.pragma('wal_checkpoint(TRUNCATE)');
    acc.set(variant, { user: 0, system: 0, wallNs: 0, walBefore: walBytes(runner.file) });
  }
  gc({ type: 'major' });
  for (let done = 0, block = 0; done < EVENTS; done += BLOCK_EVENTS, block++) {
    const n = Math.min(BLOCK_EVENTS, EVENTS - done);
    for (let k = 0; k < VARIANTS.length; k++) {
      const variant = VARIANTS[(k + block) % VARIANTS.length] as Variant;
      const runner = runners[variant];
      const a = acc.get(variant)!;
      const events = await recordEvents(n);
      let seq = sequences.get(variant) ?? 0;
      gc({ type: 'minor' });
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (const e of events) runner.run(e, ++seq);
      const wallNs = Number(process.hrtime.bigint() - t0);
      const cpu = process.cpuUsage(cpu0);
      sequences.set(variant, seq);
      a.user += cpu.user;
      a.system += cpu.system;
      a.wallNs += wallNs;
    }
  }
  const out: Measured[] = [];
  for (const variant of VARIANTS) {
    const runner = runners[variant];
    const a = acc.get(variant)!;
    const pageSize = runner.db.pragma('page_size', { simple: true }) as number;
    const frames = (walBytes(runner.file) - Math.max(a.walBefore, WAL_HEADER_BYTES)) / (pageSize + WAL_FRAME_HEADER_BYTES);
    const ck0 = process.cpuUsage();
    // FULL reports the frames it found (TRUNCATE reports 0 once it has emptied the WAL), then TRUNCATE resets it.
    const [ck] = runner.db.pragma('wal_checkpoint(FULL)') as { busy: number; log: number; checkpointed: number }[];
    runner.db.pragma('wal_checkpoint(TRUNCATE)');
    const ckCpu = process.cpuUsage(ck0);
    if (ck?.log !== frames || ck.checkpointed !== frames) throw new Error(`${variant}: WAL growth says ${frames} frames, the checkpoint ${JSON.stringify(ck)}`);
    out.push({
      round,
      variant,
      cpuUs: (a.user + a.system) / EVENTS,
      userUs: a.user / EVENTS,
      systemUs: a.system / EVENTS,
      wallUs: a.wallNs / 1000 / EVENTS,
      pagesPerCommit: frames / EVENTS,
      checkpointCpuUs: (ckCpu.user + ckCpu.system) / EVENTS,
    });
  }
  return out;
}

function checkRows(runners: Record<Variant, Runner>, perVariant: number): void {
  const count = (db: Database.Database, table: string) => (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  const expect = (what: string, got: number) => {
    if (got !== perVariant) throw new Error(`${what}: ${got} rows, expected ${perVariant}`);
  };
  expect('floor deliveries', count(runners.floor.db, 'deliveries'));
  for (const v of ['calsync-writes', 'no-sink-row'] as const) {
    expect(`${v} appointments`, count(runners[v].db, 'appointments'));
    expect(`${v} appointment_uids`, count(runners[v].db, 'appointment_uids'));
    expect(`${v} events`, count(runners[v].db, 'events'));
  }
  expect('calsync-writes sink_state', count(runners['calsync-writes'].db, 'sink_state'));
  for (const v of ['events-only', 'events-no-event-json', 'events-two-indexes'] as const) expect(`${v} events`, count(runners[v].db, 'events'));
}

const f1 = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  const schemaDir = path.join(root, 'schema');
  fs.mkdirSync(schemaDir);
  const store = await openStore({ kind: 'sqlite', dataDir: schemaDir });
  await store.close();
  const schemaFile = path.join(schemaDir, SQLITE_FILE_NAME);
  const template = await recordNextEvent();
  const runners = makeRunners(template, schemaFile);
  const results: Measured[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const m of await measureRound(round, runners)) {
        results.push(m);
        process.stderr.write(`round ${round} ${m.variant}: ${f1(m.cpuUs)} µs CPU/event\n`);
      }
    }
    checkRows(runners, ROUNDS * (WARMUP + EVENTS));
  } finally {
    for (const r of Object.values(runners)) r.db.close();
  }

  console.log(
    `storage-floor: ${EVENTS} events per variant per round after ${WARMUP} warm-up, interleaved in blocks of ${BLOCK_EVENTS}, ` +
      `one transaction (one fsync) each; ` +
      `body ${template.bodyBytes} B, event_json ${template.eventJsonBytes} B; WAL, synchronous=FULL, EXCLUSIVE locking, ` +
      `wal_autocheckpoint=0 during the round (checkpoint TRUNCATE before it, FULL then TRUNCATE after it); ` +
      `node ${process.version}, SQLite ${sqliteVersion()}, ` +
      `${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
  console.log('');
  console.log('| round | variant | CPU µs/event | user µs | system µs | wall µs/event | WAL pages/commit | checkpoint CPU µs/event | CPU ÷ floor |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const m of results) {
    const floor = results.find((r) => r.round === m.round && r.variant === 'floor') as Measured;
    console.log(
      `| ${m.round} | ${m.variant} | ${f1(m.cpuUs)} | ${f1(m.userUs)} | ${f1(m.systemUs)} | ${f1(m.wallUs)} | ${m.pagesPerCommit.toFixed(2)} | ${f1(m.checkpointCpuUs)} | ${(m.cpuUs / floor.cpuUs).toFixed(2)}× |`,
    );
  }
}

function sqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

try {
  await main();
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
