// bench/latency: latency of the full intake at a steady request rate (default 500 req/s for 20 s), against
// the bare signature-check route at the same rate in the same run.
//
// The load is open-loop and evenly paced: request i is due at start + i/rate, whatever happened to earlier
// ones, and its latency counts from when it was due (so a stall shows in full, no coordinated omission).
// autocannon's `overallRate` (bench/load.ts runLoad) is not used for the headline figure: each connection
// sends its per-second quota back to back and then idles until the next second, so "500 req/s" arrives as
// bursts of 20 concurrent requests, and its correction for coordinated omission assumes a 1 ms interval,
// which inflates the percentiles. `--generator autocannon` prints that measurement too, for comparison.
//   npm run build && node dist/bench/latency.js [--rate 500] [--duration 20] [--store sqlite|postgres|both] [--generator paced|autocannon|both]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildCalcomBody, makeBookingUid, serializeCalcomBody, signCalcomBody } from '../src/calcom/samples.js';
import { runLoad, startServer, type RunningServer } from './load.js';
import { percentile, runPacedWith, type PacedResult, type SignedBody } from './paced.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    duration: { type: 'string', default: '20' },
    store: { type: 'string', default: 'sqlite' },
    generator: { type: 'string', default: 'paced' },
    connections: { type: 'string', default: '20' },
    'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const RATE_PER_SECOND = Number(values.rate);
const DURATION_SECONDS = Number(values.duration);
const WARMUP_SECONDS = 2;
const SECRET = 'bench_secret_1';
const SLOT_MS = 30 * 60_000;
const here = path.dirname(new URL(import.meta.url).pathname);
const mainScript = path.join(here, '..', 'src', 'main.js');
const bareScript = path.join(here, 'bare-server.js');
const floorScript = path.join(here, 'durable-floor-server.js');

/** Unique realistic BOOKING_CREATED bodies: one template, a new uid and slot per request. */
function bodies(label: string): () => SignedBody {
  const placeholder = makeBookingUid(`latency-template-${label}`);
  const START = '2031-06-02T00:00:00Z';
  const END = '2031-06-02T00:30:00Z';
  const template = serializeCalcomBody(buildCalcomBody('BOOKING_CREATED', { uid: placeholder, startTime: START, endTime: END }));
  const base = Date.parse(START) + (Date.now() % 100_000) * 1_000 * SLOT_MS;
  let n = 0;
  return () => {
    n += 1;
    // Fixed width so no two counters give the same uid.
    const uid = `lat${label.slice(0, 3)}${String(n).padStart(16, '0')}`;
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const body = template.split(placeholder).join(uid).replace(START, iso(base + n * SLOT_MS)).replace(END, iso(base + n * SLOT_MS + SLOT_MS));
    return { body, signature: signCalcomBody(body, SECRET) };
  };
}

function paced(baseUrl: string, label: string, seconds: number): Promise<PacedResult> {
  return runPacedWith(baseUrl, bodies(label), RATE_PER_SECOND, seconds);
}

interface Row {
  label: string;
  generator: string;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  lagP99: number | null;
  rssMb: number;
}

async function measureOn(label: string, server: RunningServer, generator: 'paced' | 'autocannon'): Promise<Row> {
  if (generator === 'autocannon') {
    const opts = { url: server.url, secret: SECRET, connections: Number(values.connections), overallRate: RATE_PER_SECOND };
    await runLoad({ ...opts, durationSeconds: WARMUP_SECONDS });
    const r = await runLoad({ ...opts, durationSeconds: DURATION_SECONDS });
    return { label, generator: `autocannon overallRate, ${values.connections} conns`, achieved: r.requestsPerSecond, p50: r.p50Ms, p99: r.p99Ms, max: NaN, non2xx: r.non2xx, errors: r.errors, lagP99: null, rssMb: server.peakRssMb() };
  }
  await paced(server.url, `w${label}`, WARMUP_SECONDS);
  const r = await paced(server.url, label, DURATION_SECONDS);
  return {
    label,
    generator: 'paced open-loop',
    achieved: r.sent / r.elapsedS,
    p50: percentile(r.fromDue, 50),
    p99: percentile(r.fromDue, 99),
    max: Math.max(...r.fromDue),
    non2xx: r.non2xx,
    errors: r.errors,
    lagP99: percentile(r.sendLag, 99),
    rssMb: server.peakRssMb(),
  };
}

async function measure(label: string, script: string, env: Record<string, string>, probe: string): Promise<Row[]> {
  const generators = values.generator === 'both' ? (['paced', 'autocannon'] as const) : [values.generator as 'paced' | 'autocannon'];
  const rows: Row[] = [];
  for (const g of generators) {
    const server = await startServer(script, { CAL_WEBHOOK_SECRET: SECRET, INTERNAL_API_KEY: 'bench_internal_key_0001', ...env }, probe);
    try {
      rows.push(await measureOn(label, server, g));
    } finally {
      await server.stop();
    }
  }
  return rows;
}

async function withPgSchema<T>(url: string, run: (schemaUrl: string) => Promise<T>): Promise<T> {
  const schema = `bench_latency_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
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

const rows: Row[] = [];
rows.push(...(await measure('bare route (signature + JSON.parse)', bareScript, {}, '/webhooks/calcom')));
{
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-bench-latency-'));
  rows.push(...(await measure('bare + validation + durable raw insert (the floor)', floorScript, { DATA_DIR: dataDir, FLOOR_VALIDATE: '1' }, '/webhooks/calcom')));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
const stores = values.store === 'both' ? ['sqlite', 'postgres'] : [values.store as string];
for (const store of stores) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-bench-latency-'));
  try {
    if (store === 'sqlite') rows.push(...(await measure('full intake, SQLite', mainScript, { DATA_DIR: dataDir }, '/readyz')));
    else rows.push(...(await withPgSchema(values['database-url'] as string, (url) => measure('full intake, PostgreSQL', mainScript, { DATA_DIR: dataDir, DATABASE_URL: url }, '/readyz'))));
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const f = (x: number | null) => (x === null || Number.isNaN(x) ? '–' : x.toFixed(1));
console.log(`\ncalsync bench/latency: ${RATE_PER_SECOND} req/s for ${DURATION_SECONDS} s (after ${WARMUP_SECONDS} s warm-up), node ${process.version}, ${os.cpus().length} cores`);
console.log('latency of 2xx answers; paced: from when each request was due, exact percentiles\n');
console.log('| server | generator | achieved req/s | p50 ms | p99 ms | max ms | non-2xx | errors | generator lag p99 ms | peak RSS MB |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.label} | ${r.generator} | ${r.achieved.toFixed(0)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${r.non2xx} | ${r.errors} | ${f(r.lagP99)} | ${r.rssMb.toFixed(0)} |`);
}
