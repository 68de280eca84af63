// bench/fixed-rate: issue 14's method. In one run, each receiver (the bare route, the floor, calsync on SQLite,
// calsync on PostgreSQL) runs as a server process of its own, one after the other, and takes the same fixed
// open-loop arrival rate (bench/paced.ts: evenly paced, latency from when each request was due) of realistic
// ~2.8 KB signed BOOKING_CREATED deliveries. Below every receiver's capacity the load generator costs the same
// for all, so the server's own CPU per event is comparable across them:
// - server CPU per event: the server process's utime + stime (/proc/<pid>/stat) over the measured run,
//   divided by its 2xx answers; for PostgreSQL also with every `postgres` process's CPU over the same run
//   (the database's own work; on a shared machine it includes whatever else uses that PostgreSQL);
// - p50/p99 ack latency of the 2xx answers; peak RSS (VmHWM, /proc/<pid>/status); 2xx, non-2xx and errors;
// - each against the floor (bench/durable-floor-server.ts with validation) measured in the same run.
// Everything listens on 127.0.0.1 and every loop ends on its own (a fixed number of requests, each with a
// timeout). BENCH_NODE_FLAGS passes node flags to the servers (bench/load.ts).
//   npm run build && node dist/bench/fixed-rate.js [--rate 500] [--duration 20] [--warmup 2]
//     [--receivers bare,floor,sqlite,postgres] [--database-url postgres://postgres@127.0.0.1:5432/test]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startServer, type RunningServer } from './load.js';
import { bookingBodies, percentile, runPaced } from './paced.js';
import { cpuMicros, peakRssMb, watchProcessGroup } from './proc-stats.js';

const RECEIVERS = ['bare', 'floor', 'sqlite', 'postgres'] as const;
type Receiver = (typeof RECEIVERS)[number];

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '2' },
    receivers: { type: 'string', default: RECEIVERS.join(',') },
    'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const RATE_PER_SECOND = Number(values.rate);
const DURATION_SECONDS = Number(values.duration);
const WARMUP_SECONDS = Number(values.warmup);
const MAX_RATE_PER_SECOND = 20_000;
const MAX_DURATION_SECONDS = 600;
if (!(RATE_PER_SECOND > 0 && RATE_PER_SECOND <= MAX_RATE_PER_SECOND)) throw new Error(`--rate must be in (0, ${MAX_RATE_PER_SECOND}]`);
if (!(DURATION_SECONDS > 0 && DURATION_SECONDS <= MAX_DURATION_SECONDS)) throw new Error(`--duration must be in (0, ${MAX_DURATION_SECONDS}] s`);
if (!(WARMUP_SECONDS >= 0 && WARMUP_SECONDS <= MAX_DURATION_SECONDS)) throw new Error(`--warmup must be in [0, ${MAX_DURATION_SECONDS}] s`);
const receivers = (values.receivers as string).split(',').map((r) => r.trim()).filter(Boolean);
for (const r of receivers) if (!(RECEIVERS as readonly string[]).includes(r)) throw new Error(`unknown receiver ${r}; choose from ${RECEIVERS.join(',')}`);

const SECRET = 'bench_secret_1';
const SERVER_ENV = { CAL_WEBHOOK_SECRET: SECRET, INTERNAL_API_KEY: 'bench_internal_key_0001' };
const here = path.dirname(new URL(import.meta.url).pathname);
const mainScript = path.join(here, '..', 'src', 'main.js');
const bareScript = path.join(here, 'bare-server.js');
const floorScript = path.join(here, 'durable-floor-server.js');
const LABELS: Record<Receiver, string> = {
  bare: 'bare route',
  floor: 'floor',
  sqlite: 'calsync SQLite',
  postgres: 'calsync PostgreSQL',
};

interface Row {
  receiver: Receiver;
  /** 2xx answers ÷ the time from the first request's due time to the last answer: below the rate when it fell behind. */
  answeredPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** The server process's CPU per 2xx, µs. */
  cpuPerEventUs: number;
  /** With PostgreSQL's own processes (PostgreSQL only), µs. */
  totalCpuPerEventUs: number | null;
  p50: number;
  p99: number;
  max: number;
  lagP99: number;
  rssMb: number;
}

async function measureOn(receiver: Receiver, server: RunningServer): Promise<Row> {
  const pid = server.child.pid;
  if (pid === undefined) throw new Error(`${receiver}: no server pid`);
  if (WARMUP_SECONDS > 0) await runPaced(server.url, SECRET, RATE_PER_SECOND, WARMUP_SECONDS);
  const postgres = receiver === 'postgres' ? watchProcessGroup('postgres') : null;
  const cpuBefore = cpuMicros(pid);
  const r = await runPaced(server.url, SECRET, RATE_PER_SECOND, DURATION_SECONDS);
  const cpuAfter = cpuMicros(pid);
  const postgresCpuUs = postgres?.stop() ?? null;
  if (cpuBefore === null || cpuAfter === null) throw new Error(`${receiver}: server process ${pid} vanished during the run`);
  const perEvent = (us: number) => (r.ok > 0 ? us / r.ok : NaN);
  return {
    receiver,
    answeredPerSecond: r.ok / r.elapsedS,
    ok: r.ok,
    non2xx: r.non2xx,
    errors: r.errors,
    cpuPerEventUs: perEvent(cpuAfter - cpuBefore),
    totalCpuPerEventUs: postgresCpuUs === null ? null : perEvent(cpuAfter - cpuBefore + postgresCpuUs),
    p50: percentile(r.fromDue, 50),
    p99: percentile(r.fromDue, 99),
    max: r.fromDue.length ? Math.max(...r.fromDue) : NaN,
    lagP99: percentile(r.sendLag, 99),
    rssMb: peakRssMb(pid),
  };
}

async function measure(receiver: Receiver, script: string, env: Record<string, string>, probe: string): Promise<Row> {
  const server = await startServer(script, { ...SERVER_ENV, ...env }, probe);
  try {
    return await measureOn(receiver, server);
  } finally {
    await server.stop();
  }
}

async function withPgSchema<T>(url: string, run: (schemaUrl: string) => Promise<T>): Promise<T> {
  const schema = `bench_fixed_rate_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    const u = new URL(url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    return await run(u.toString());
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

async function withDataDir<T>(run: (dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-bench-fixed-rate-'));
  try {
    return await run(dataDir);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function measureReceiver(receiver: Receiver): Promise<Row> {
  switch (receiver) {
    case 'bare':
      return measure(receiver, bareScript, {}, '/webhooks/calcom');
    case 'floor':
      return withDataDir((dataDir) => measure(receiver, floorScript, { DATA_DIR: dataDir, FLOOR_VALIDATE: '1' }, '/webhooks/calcom'));
    case 'sqlite':
      return withDataDir((dataDir) => measure(receiver, mainScript, { DATA_DIR: dataDir }, '/readyz'));
    case 'postgres':
      return withDataDir((dataDir) =>
        withPgSchema(values['database-url'] as string, (url) => measure(receiver, mainScript, { DATA_DIR: dataDir, DATABASE_URL: url }, '/readyz')),
      );
  }
}

const rows: Row[] = [];
for (const receiver of receivers as Receiver[]) {
  process.stderr.write(`fixed-rate: ${LABELS[receiver]} at ${RATE_PER_SECOND}/s for ${DURATION_SECONDS} s ...\n`);
  rows.push(await measureReceiver(receiver));
}

const floor = rows.find((r) => r.receiver === 'floor');
const num = (x: number, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const ratio = (x: number, of: number | undefined) => (of !== undefined && Number.isFinite(x) && of > 0 ? `${(x / of).toFixed(2)}×` : '–');
const totalCpu = (r: Row) => r.totalCpuPerEventUs ?? r.cpuPerEventUs;

console.log(
  `\ncalsync bench/fixed-rate: ${RATE_PER_SECOND}/s open-loop for ${DURATION_SECONDS} s per receiver (after ${WARMUP_SECONDS} s warm-up), ` +
    `${bookingBodies(SECRET).templateBytes} B BOOKING_CREATED, node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
);
console.log(
  'server CPU = the server process utime+stime over the run ÷ 2xx; "with PostgreSQL" adds every postgres process; ' +
    'latency of 2xx from when each request was due; 2xx /s = 2xx ÷ time to the last answer (below the rate: it fell behind)\n',
);
console.log('| receiver | 2xx /s | 2xx | non-2xx | errors | server CPU per event µs | with PostgreSQL µs | CPU vs floor | p50 ms | p99 ms | p99 vs floor | max ms | generator lag p99 ms | peak RSS MB | RSS − floor MB |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${LABELS[r.receiver]}, ${RATE_PER_SECOND}/s | ${num(r.answeredPerSecond)} | ${r.ok} | ${r.non2xx} | ${r.errors} | ${num(r.cpuPerEventUs)} | ` +
      `${r.totalCpuPerEventUs === null ? '–' : num(r.totalCpuPerEventUs)} | ${ratio(totalCpu(r), floor ? totalCpu(floor) : undefined)} | ` +
      `${num(r.p50, 1)} | ${num(r.p99, 1)} | ${ratio(r.p99, floor?.p99)} | ${num(r.max, 1)} | ${num(r.lagP99, 1)} | ${num(r.rssMb)} | ` +
      `${floor ? (r.rssMb - floor.rssMb >= 0 ? '+' : '') + num(r.rssMb - floor.rssMb) : '–'} |`,
  );
}
