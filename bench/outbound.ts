// bench/outbound: outbound webhook delivery, calsync in this process, the receiver in a child process.
//   npm run build && node dist/bench/outbound.js [--appointments 1000] [--store sqlite|postgres] [--scale 60]
// 1. Throughput: `resend` queues one message per appointment at once; time until the receiver has them all.
// 2. Outage: the receiver answers 503 for OUTAGE (10 min / scale) while every appointment changes once
//    (spread over the outage); then it is back, and we time until each appointment's latest version has
//    arrived. The retry schedule is the production one divided by `scale` (5 s, 5 min, 30 min, ... → /60),
//    so the drain time measured ×scale is what production would take; the outage is scaled the same way.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from '../src/app.js';
import { buildCalcomBody, makeBookingUid } from '../src/calcom/samples.js';
import { signPayload } from '../src/calcom/signature.js';
import { loadConfig } from '../src/config.js';
import { webhooksFeature } from '../src/features/webhooks.js';
import { createLogger } from '../src/logger.js';
import { PRODUCTION_SCHEDULE } from '../src/sinks/webhooks/schedule.js';

const { values } = parseArgs({
  options: {
    appointments: { type: 'string', default: '1000' },
    store: { type: 'string', default: 'sqlite' },
    scale: { type: 'string', default: '60' },
    'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const APPOINTMENTS = Number(values.appointments);
const SCALE = Number(values.scale);
const OUTAGE_MS = (10 * 60_000) / SCALE;
const SEND_CONCURRENCY = 16;
const SECRET = 'bench_outbound_secret';
const API_KEY = 'bench_outbound_internal_key';
const POLL_MS = 50;
const DRAIN_DEADLINE_MS = 10 * 60_000;

interface Stats {
  requests: number;
  delivered: number;
  distinctIds: number;
  latest: Record<string, number>;
}

async function startReceiver(): Promise<{ url: string; stats(): Promise<Stats>; mode(up: boolean): Promise<void>; stop(): void }> {
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'outbound-receiver.js');
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', () => reject(new Error('receiver exited')));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/hook`,
    stats: async () => (await (await fetch(`${base}/stats`)).json()) as Stats,
    mode: async (up) => void (await fetch(`${base}/mode/${up ? 'up' : 'down'}`, { method: 'POST' })),
    stop: () => void child.kill('SIGKILL'),
  };
}

async function storeEnv(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-bench-outbound-'));
  if (values.store !== 'postgres') return { env: { DATA_DIR: dataDir }, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  const schema = `bench_out_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: values['database-url'] });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(values['database-url'] as string);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: u.toString() },
    async drop() {
      const d = new pg.Client({ connectionString: values['database-url'] });
      await d.connect();
      await d.query(`drop schema ${schema} cascade`);
      await d.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await run(items[next++] as T);
  }));
}

async function until(what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > DRAIN_DEADLINE_MS) throw new Error(`bench: no ${what} after ${DRAIN_DEADLINE_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return performance.now() - started;
}

async function main(): Promise<void> {
  const receiver = await startReceiver();
  const store = await storeEnv();
  const env = { PORT: '0', HOST: '127.0.0.1', CAL_WEBHOOK_SECRET: SECRET, INTERNAL_API_KEY: API_KEY, LOG_LEVEL: 'warn', OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'true', ...store.env };
  const config = loadConfig(env);
  const log = createLogger({ level: 'error', personalData: false });
  const schedule = { ...PRODUCTION_SCHEDULE, delaysMs: PRODUCTION_SCHEDULE.delaysMs.map((d) => d / SCALE) };
  const app = await createApp(config, { log, features: [webhooksFeature(config, { schedule })] });
  const url = await app.listen();
  const api = (p: string, init: RequestInit = {}) =>
    fetch(url + p, { ...init, headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
  const send = async (body: unknown) => {
    const raw = JSON.stringify(body);
    const res = await fetch(`${url}/webhooks/calcom`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cal-signature-256': signPayload(raw, SECRET) }, body: raw });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  };
  try {
    const since = new Date().toISOString();
    const uids = Array.from({ length: APPOINTMENTS }, (_, i) => makeBookingUid(`bench-outbound:${i}:${Date.now()}`));
    await inParallel(uids, SEND_CONCURRENCY, (uid) => send(buildCalcomBody('BOOKING_CREATED', { uid })));
    const endpoint = (await (await api('/api/webhook-endpoints', { method: 'POST', body: JSON.stringify({ url: receiver.url }) })).json()) as { id: string };

    // 1. Throughput: one message per appointment queued at once.
    const before = await receiver.stats();
    const resendStarted = performance.now();
    const resend = await api(`/api/webhook-endpoints/${endpoint.id}/resend`, { method: 'POST', body: JSON.stringify({ since }) });
    if (resend.status !== 202) throw new Error(`resend answered ${resend.status}`);
    const queuedMs = performance.now() - resendStarted;
    const deliverMs = await until('resent messages', async () => (await receiver.stats()).delivered - before.delivered >= APPOINTMENTS);
    const throughput = APPOINTMENTS / ((queuedMs + deliverMs) / 1000);

    // 2. Outage: every appointment changes once while the receiver answers 503.
    await receiver.mode(false);
    const outageStarted = performance.now();
    const gapMs = OUTAGE_MS / APPOINTMENTS;
    await inParallel(uids.map((uid, i) => ({ uid, i })), SEND_CONCURRENCY, async ({ uid, i }) => {
      const due = outageStarted + i * gapMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await send(buildCalcomBody('BOOKING_CANCELLED', { uid }));
    });
    const sentMs = performance.now() - outageStarted;
    const rest = OUTAGE_MS - sentMs;
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    const atRecovery = await receiver.stats();
    await receiver.mode(true);
    const drainMs = await until('latest versions', async () => {
      const s = await receiver.stats();
      return Object.values(s.latest).filter((v) => v >= 2).length >= APPOINTMENTS;
    });
    const after = await receiver.stats();
    const drainedMessages = after.delivered - atRecovery.delivered;
    const out = {
      store: values.store,
      appointments: APPOINTMENTS,
      throughput_per_s: Math.round(throughput),
      resend_queue_ms: Math.round(queuedMs),
      deliver_ms: Math.round(deliverMs),
      outage_ms: OUTAGE_MS,
      outage_send_ms: Math.round(sentMs),
      attempts_during_outage: atRecovery.requests - atRecovery.delivered,
      drain_ms: Math.round(drainMs),
      drain_scaled_to_production_min: Number(((drainMs * SCALE) / 60_000).toFixed(1)),
      messages_after_recovery: drainedMessages,
      scale: SCALE,
      node: process.version,
      cpus: os.cpus().length,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await app.stop();
    receiver.stop();
    await store.drop();
  }
}

await main();
