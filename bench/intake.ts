// bench/intake: the full intake (signature, validation, durable store, appointment fold) against a bare
// Fastify route that only checks the signature, in the same run, with the same load generator.
//   npm run build && node dist/bench/intake.js [--duration 10] [--connections 50] [--store sqlite|postgres|both] [--rate 500]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runLoad, startServer, type LoadResult } from './load.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    store: { type: 'string', default: 'sqlite' },
    rate: { type: 'string' },
    'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const durationSeconds = Number(values.duration);
const connections = Number(values.connections);
const rate = values.rate ? Number(values.rate) : undefined;
const SECRET = 'bench_secret_1';
const WARMUP_SECONDS = 2;
const here = path.dirname(new URL(import.meta.url).pathname);
const mainScript = path.join(here, '..', 'src', 'main.js');
const bareScript = path.join(here, 'bare-server.js');
const floorScript = path.join(here, 'durable-floor-server.js');

async function measure(label: string, script: string, env: Record<string, string>, probe: string): Promise<LoadResult & { label: string; rssMb: number }> {
  const server = await startServer(script, { CAL_WEBHOOK_SECRET: SECRET, INTERNAL_API_KEY: 'bench_internal_key_0001', ...env }, probe);
  try {
    await runLoad({ url: server.url, secret: SECRET, connections, durationSeconds: WARMUP_SECONDS, overallRate: rate });
    const result = await runLoad({ url: server.url, secret: SECRET, connections, durationSeconds, overallRate: rate });
    return { label, ...result, rssMb: server.peakRssMb() };
  } finally {
    await server.stop();
  }
}

async function freshPgSchema(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `bench_${Date.now().toString(36)}`;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`create schema ${schema}`);
  await c.end();
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: url });
      await d.connect();
      await d.query(`drop schema ${schema} cascade`);
      await d.end();
    },
  };
}

const results: (LoadResult & { label: string; rssMb: number })[] = [];
results.push(await measure('bare route (signature + JSON.parse)', bareScript, {}, '/webhooks/calcom'));
{
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-bench-'));
  results.push(await measure('bare + durable raw insert', floorScript, { DATA_DIR: dataDir }, '/webhooks/calcom'));
  results.push(await measure('bare + validation + durable raw insert (the floor)', floorScript, { DATA_DIR: dataDir, FLOOR_VALIDATE: '1' }, '/webhooks/calcom'));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
const stores = values.store === 'both' ? ['sqlite', 'postgres'] : [values.store as string];
for (const store of stores) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-bench-'));
  if (store === 'sqlite') {
    results.push(await measure('full intake, SQLite (WAL, synchronous=FULL)', mainScript, { DATA_DIR: dataDir }, '/healthz'));
  } else {
    const schema = await freshPgSchema(values['database-url'] as string);
    try {
      results.push(await measure('full intake, PostgreSQL', mainScript, { DATA_DIR: dataDir, DATABASE_URL: schema.url }, '/healthz'));
    } finally {
      await schema.drop();
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const bare = results[0]!;
console.log(`\ncalsync bench/intake — ${connections} connections, ${durationSeconds} s per run${rate ? `, fixed ${rate} req/s` : ''}, node ${process.version}, ${os.cpus().length} cores\n`);
console.log('| server | req/s | p50 ms | p99 ms | non-2xx | errors | peak RSS MB | vs bare |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const ratio = ((r.requestsPerSecond / bare.requestsPerSecond) * 100).toFixed(0) + '%';
  console.log(`| ${r.label} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} | ${r.errors} | ${r.rssMb.toFixed(0)} | ${ratio} |`);
}
