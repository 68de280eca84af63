// bench/startup: time from spawning `node dist/src/main.js` to /readyz answering 200, and the RSS right then,
// with an empty store (first start, which creates and migrates it; and a restart) and with a store holding
// N appointments (default 100,000, each with its uid and its BOOKING_CREATED event), against a bare Fastify
// app's start-up (node + Fastify + listen) in the same run. Each start reports the wall time to ready and the
// process's CPU time (user + system, all threads, from /proc) at that moment: on a shared machine the CPU
// time moves much less than the wall time.
//   npm run build && node dist/bench/startup.js [--appointments 100000] [--repeats 5] [--store sqlite|postgres|both]
//     [--compare OTHER/dist/src/main.js]
// --compare starts another build's server (e.g. the previous commit's, built in a copy of the repository)
// alternately with this one in every scenario, on the same stores, so a before/after comes from one sitting.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { sql } from 'kysely';
import { buildCalcomBody, makeBookingUid } from '../src/calcom/samples.js';
import { parseDelivery } from '../src/calcom/parse.js';
import { Intake } from '../src/intake/intake.js';
import { openStore, type Store, type StoreConfig } from '../src/store/store.js';
import type { AppointmentRow, EventRow } from '../src/store/schema.js';
import { freePort } from './load.js';

const { values } = parseArgs({
  options: {
    appointments: { type: 'string', default: '100000' },
    repeats: { type: 'string', default: '5' },
    store: { type: 'string', default: 'sqlite' },
    compare: { type: 'string' },
    'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const APPOINTMENTS = Number(values.appointments);
const REPEATS = Number(values.repeats);
const READY_POLL_MS = 5;
const READY_DEADLINE_MS = 30_000;
/** Rows per INSERT: the widest table has 32 columns, and SQLite allows 32,766 bound values per statement. */
const INSERT_BATCH_ROWS = 500;
const SLOT_MS = 30 * 60_000;
const here = path.dirname(new URL(import.meta.url).pathname);
const mainScript = path.join(here, '..', 'src', 'main.js');
const bareScript = path.join(here, 'bare-server.js');
const SERVER_ENV = { CAL_WEBHOOK_SECRET: 'bench_secret_1', INTERNAL_API_KEY: 'bench_internal_key_0001', LOG_LEVEL: 'warn' };

interface Start {
  readyMs: number;
  /** utime + stime of the whole process (every thread) when it became ready. */
  cpuMs: number;
  rssMb: number;
}

/** The servers under test: this build's, and with --compare another build's, started in turn. */
const mains: { script: string; suffix: string }[] = [
  { script: mainScript, suffix: '' },
  ...(values.compare ? [{ script: path.resolve(values.compare), suffix: ` [${values.compare}]` }] : []),
];
/** /proc/PID/stat counts CPU time in clock ticks: USER_HZ, 100 on Linux. */
const CLOCK_TICK_MS = 10;

function rssMbOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

function cpuMsOf(pid: number): number {
  // Fields after the command name (which may hold spaces): state is the 1st, utime the 12th, stime the 13th.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

/** Spawns `script`, polls `probePath` until `isReady(status)`, notes the time and RSS, then stops it (SIGTERM). */
async function timeStart(script: string, env: Record<string, string>, probePath: string, isReady: (status: number) => boolean): Promise<Start> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}${probePath}`);
        await res.arrayBuffer();
        if (isReady(res.status)) break;
      } catch {
        // Not listening yet.
      }
      if (performance.now() - started > READY_DEADLINE_MS) throw new Error(`${script} not ready after ${READY_DEADLINE_MS} ms`);
      await new Promise((r) => setTimeout(r, READY_POLL_MS));
    }
    const readyMs = performance.now() - started;
    return { readyMs, cpuMs: cpuMsOf(child.pid as number), rssMb: rssMbOf(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function repeat(times: number, once: () => Promise<Start>): Promise<Start[]> {
  const out: Start[] = [];
  for (let i = 0; i < times; i++) out.push(await once());
  return out;
}

/** `times` starts of every server in `mains`, taking turns; one list of starts per server. */
async function repeatEachMain(times: number, once: (script: string) => Promise<Start>): Promise<Start[][]> {
  const out: Start[][] = mains.map(() => []);
  for (let i = 0; i < times; i++) for (const [k, m] of mains.entries()) out[k]!.push(await once(m.script));
  return out;
}

const calsyncReady = (script: string, env: Record<string, string>) => timeStart(script, { ...SERVER_ENV, ...env }, '/readyz', (s) => s === 200);
// The bare app has no /readyz: any HTTP answer (its 404) means it listens.
const bareReady = () => timeStart(bareScript, SERVER_ENV, '/readyz', () => true);

/** One real BOOKING_CREATED through the real intake; its rows are the template for the bulk copies. */
async function templateRows(store: Store): Promise<{ uid: string; event: EventRow; appointment: AppointmentRow }> {
  const uid = makeBookingUid('bench-startup-template');
  const body = buildCalcomBody('BOOKING_CREATED', { uid, startTime: '2030-01-01T00:00:00Z', endTime: '2030-01-01T00:30:00Z', createdAt: '2029-12-01T00:00:00.000Z' });
  const parsed = parseDelivery(body);
  if (!parsed.ok || !('event' in parsed)) throw new Error('the template body does not parse');
  const intake = new Intake(store, { sinks: [], log: pino({ level: 'silent' }) });
  const outcome = await intake.submit({
    source: 'webhook',
    trigger: parsed.trigger,
    dedupKey: parsed.dedupKey,
    bookingUid: parsed.bookingUid,
    rawBody: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    event: parsed.event,
    skipReason: null,
    replayOf: null,
  });
  if (outcome.status !== 'processed') throw new Error(`the template event was ${outcome.status}`);
  await intake.idle();
  const event = await store.db.selectFrom('events').selectAll().where('id', '=', outcome.eventId).executeTakeFirstOrThrow();
  const appointment = await store.db.selectFrom('appointments').selectAll().where('id', '=', outcome.appointmentId).executeTakeFirstOrThrow();
  return { uid, event, appointment };
}

/** Copies the template into `count` bookings (own uid, slot and dedup key) with bulk inserts in one transaction. */
async function seed(config: StoreConfig, count: number): Promise<number> {
  const started = performance.now();
  const store = await openStore(config);
  try {
    const t = await templateRows(store);
    const base = Date.parse(t.appointment.start_time as string);
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    await store.db.transaction().execute(async (trx) => {
      for (let from = 1; from <= count; from += INSERT_BATCH_ROWS) {
        const appointments = [];
        const uids = [];
        const events = [];
        for (let i = from; i < Math.min(from + INSERT_BATCH_ROWS, count + 1); i++) {
          const id = t.appointment.id + i;
          const uid = `seed${String(i).padStart(18, '0')}`;
          const start = base + i * SLOT_MS;
          const { id: _a, ...appointment } = t.appointment;
          appointments.push({ ...appointment, id, calcom_booking_uid: uid, calcom_booking_id: 1_000_000 + i, start_time: iso(start), end_time: iso(start + SLOT_MS) });
          uids.push({ uid, appointment_id: id });
          const { id: _e, ...event } = t.event;
          events.push({ ...event, dedup_key: `seed-${i}`, booking_uid: uid, appointment_id: id, raw_body: event.raw_body.split(t.uid).join(uid), event_json: event.event_json?.split(t.uid).join(uid) ?? null });
        }
        await trx.insertInto('appointments').values(appointments).execute();
        await trx.insertInto('appointment_uids').values(uids).execute();
        await trx.insertInto('events').values(events).execute();
      }
    });
    // PostgreSQL's id sequences must continue after the explicit ids, as they would have.
    if (config.kind === 'postgres') await sql`select setval(pg_get_serial_sequence('appointments', 'id'), (select max(id) from appointments))`.execute(store.db);
    return performance.now() - started;
  } finally {
    await store.close();
  }
}

interface Scenario {
  label: string;
  starts: Start[];
}

interface StoreUnderTest {
  name: string;
  /** A fresh store: its env for calsync, its config for seeding, and how to throw it away. */
  fresh(): Promise<{ env: Record<string, string>; config: StoreConfig; drop(): Promise<void> }>;
}

const sqliteStore: StoreUnderTest = {
  name: 'SQLite',
  async fresh() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-bench-startup-'));
    return { env: { DATA_DIR: dir }, config: { kind: 'sqlite', dataDir: dir }, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  },
};

function postgresStore(url: string): StoreUnderTest {
  return {
    name: 'PostgreSQL',
    async fresh() {
      const schema = `bench_startup_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-bench-startup-'));
      return {
        env: { DATA_DIR: dir, DATABASE_URL: u.toString() },
        config: { kind: 'postgres', url: u.toString() },
        async drop() {
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          await c.query(`drop schema ${schema} cascade`);
          await c.end();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

const scenarios: Scenario[] = [];
const notes: string[] = [];
scenarios.push({ label: 'bare Fastify app (node + fastify + listen)', starts: await repeat(REPEATS, bareReady) });

const stores = values.store === 'both' ? [sqliteStore, postgresStore(values['database-url'] as string)] : values.store === 'postgres' ? [postgresStore(values['database-url'] as string)] : [sqliteStore];
const pushEach = (label: string, starts: Start[][]) => mains.forEach((m, k) => scenarios.push({ label: label + m.suffix, starts: starts[k]! }));
for (const s of stores) {
  pushEach(
    `calsync, ${s.name}, empty store, first start (creates + migrates)`,
    await repeatEachMain(REPEATS, async (script) => {
      const store = await s.fresh();
      try {
        return await calsyncReady(script, store.env);
      } finally {
        await store.drop();
      }
    }),
  );

  const empty = await s.fresh();
  try {
    await calsyncReady(mainScript, empty.env);
    pushEach(`calsync, ${s.name}, empty store, restart`, await repeatEachMain(REPEATS, (script) => calsyncReady(script, empty.env)));
  } finally {
    await empty.drop();
  }

  const full = await s.fresh();
  try {
    const seedMs = await seed(full.config, APPOINTMENTS);
    const size = full.config.kind === 'sqlite' ? ` (${(dirBytes(full.config.dataDir) / 1024 / 1024).toFixed(0)} MB on disk)` : '';
    notes.push(`${s.name}: seeded ${APPOINTMENTS.toLocaleString('en')} appointments, uids and events in ${(seedMs / 1000).toFixed(1)} s${size}`);
    pushEach(`calsync, ${s.name}, ${APPOINTMENTS.toLocaleString('en')} appointments, restart`, await repeatEachMain(REPEATS, (script) => calsyncReady(script, full.env)));
  } finally {
    await full.drop();
  }
}

function dirBytes(dir: string): number {
  return fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

console.log(`\ncalsync bench/startup: spawn → ready, ${REPEATS} starts each, node ${process.version}, ${os.cpus().length} cores`);
for (const n of notes) console.log(`  ${n}`);
console.log('\n| start-up | median ms | min ms | max ms | CPU ms at ready (median) | RSS at ready MB (median) |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const sc of scenarios) {
  const ms = sc.starts.map((s) => s.readyMs);
  console.log(
    `| ${sc.label} | ${median(ms).toFixed(0)} | ${Math.min(...ms).toFixed(0)} | ${Math.max(...ms).toFixed(0)} | ${median(sc.starts.map((s) => s.cpuMs)).toFixed(0)} | ${median(sc.starts.map((s) => s.rssMb)).toFixed(0)} |`,
  );
}
