// bench/notion: a burst of bookings (default 1,000 for 500 clients) through the real server into the Notion
// emulator limiting at 3 req/s, as Notion does. Reports how long the mirror takes to drain against the ideal
// (the requests those bookings need, divided by the rate), Notion requests per booking against that minimum,
// and the 429s received.
//   npx tsx bench/notion.ts [--bookings 1000] [--clients 500] [--rps 3] [--burst 3] [--latency-ms 50-150] [--store sqlite|postgres]
// At 3 req/s the default run takes about 11 minutes (2,000 requests / 3 per second).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { buildCalcomBody, makeBookingUid } from '../src/calcom/samples.js';
import { signPayload } from '../src/calcom/signature.js';
import { composeAppOptions } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { DEFAULT_PROPERTY_NAMES } from '../src/sinks/notion/property-names.js';
import { clientsSchemaRequest, sessionsSchemaRequest } from '../src/sinks/notion/schema.js';
import { countSinkRowsByState } from '../src/store/queries/sink-work.js';
import { startNotionEmulator } from '../test/emulators/notion/index.js';

const { values } = parseArgs({
  options: {
    bookings: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '500' },
    rps: { type: 'string', default: '3' },
    burst: { type: 'string', default: '3' },
    'latency-ms': { type: 'string', default: '50-150' },
    store: { type: 'string', default: 'sqlite' },
    'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    'send-concurrency': { type: 'string', default: '50' },
  },
});
const BOOKINGS = Number(values.bookings);
const CLIENTS = Number(values.clients);
const RPS = Number(values.rps);
const BURST = Number(values.burst);
const [latencyMin, latencyMax] = (values['latency-ms'] ?? '0').split('-').map(Number) as [number, number | undefined];
const SECRET = 'bench_secret_notion_1';
const PROGRESS_EVERY_MS = 15_000;

const emulator = await startNotionEmulator({
  rateLimit: { ratePerSecond: RPS, burst: BURST },
  latencyMs: latencyMax === undefined ? latencyMin : { min: latencyMin, max: latencyMax },
});
const parentPageId = emulator.state.createParentPage();
const clientsDb = emulator.state.createDatabase({ title: 'Clients', parentPageId, properties: clientsSchemaRequest(DEFAULT_PROPERTY_NAMES) });
const sessionsDb = emulator.state.createDatabase({ title: 'Sessions', parentPageId, properties: sessionsSchemaRequest(DEFAULT_PROPERTY_NAMES, clientsDb.dataSourceId) });

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-bench-notion-'));
let pgSchema: string | null = null;
let databaseUrl: string | null = null;
if (values.store === 'postgres') {
  pgSchema = `bench_notion_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: values['database-url'] });
  await admin.connect();
  await admin.query(`create schema ${pgSchema}`);
  await admin.end();
  const u = new URL(values['database-url'] as string);
  u.searchParams.set('options', `-c search_path=${pgSchema}`);
  databaseUrl = u.toString();
}

const config = loadConfig({
  PORT: '0',
  DATA_DIR: dataDir,
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  CAL_WEBHOOK_SECRET: SECRET,
  INTERNAL_API_KEY: 'bench_internal_key_notion_0001',
  NOTION_TOKEN: emulator.token,
  NOTION_API_URL: emulator.url,
  NOTION_CLIENTS_DATABASE_ID: clientsDb.databaseId,
  NOTION_SESSIONS_DATABASE_ID: sessionsDb.databaseId,
  NOTION_RATE_LIMIT_RPS: String(RPS),
  LOG_LEVEL: 'error',
});
const log = pino({ level: 'error' });
const app = await createApp(config, composeAppOptions(config, log));
const url = await app.listen();
const startupRequests = emulator.requests.length;

const run = makeBookingUid().slice(0, 6).toLowerCase();
const bodies = Array.from({ length: BOOKINGS }, (_, i) => {
  const client = i % CLIENTS;
  const start = new Date(Date.UTC(2031, 0, 6, 8) + i * 30 * 60_000).toISOString();
  return JSON.stringify(
    buildCalcomBody('BOOKING_CREATED', {
      uid: makeBookingUid(),
      startTime: start,
      attendee: { name: `Client ${client}`, email: `client${client}.${run}@example.com` },
    }),
  );
});

console.log(`bench/notion: ${BOOKINGS} bookings for ${CLIENTS} clients, Notion emulator at ${RPS} req/s (burst ${BURST}, latency ${values['latency-ms']} ms), store ${values.store}`);
const t0 = Date.now();
let next = 0;
await Promise.all(
  Array.from({ length: Number(values['send-concurrency']) }, async () => {
    while (next < bodies.length) {
      const raw = bodies[next++] as string;
      const res = await fetch(`${url}/webhooks/calcom`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cal-signature-256': signPayload(raw, SECRET) }, body: raw });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    }
  }),
);
const acceptedMs = Date.now() - t0;

let lastProgress = Date.now();
for (;;) {
  const states = await countSinkRowsByState(app.store.db, 'notion');
  if ((states.synced ?? 0) === BOOKINGS && Object.keys(states).length === 1) break;
  if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
    lastProgress = Date.now();
    console.log(`  ${Math.round((Date.now() - t0) / 1000)} s: ${JSON.stringify(states)}, ${emulator.requests.length - startupRequests} requests, ${emulator.count429} × 429`);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
const drainMs = Date.now() - t0;

const drainRequests = emulator.requests.length - startupRequests;
const byKind = new Map<string, number>();
for (const r of emulator.requests.slice(startupRequests)) {
  const kind = `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ':id')}`;
  byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
}
// What the bookings need at the least: one Sessions page each, and per new client one look-up (a person
// may have added the client already) and one create.
const minimumRequests = BOOKINGS + 2 * CLIENTS;
const idealMs = (minimumRequests / RPS) * 1000;
const sessions = emulator.pagesIn(sessionsDb.dataSourceId).length;
const clients = emulator.pagesIn(clientsDb.dataSourceId).length;

const result = {
  bookings: BOOKINGS,
  clients: CLIENTS,
  rate_per_second: RPS,
  webhooks_accepted_s: +(acceptedMs / 1000).toFixed(1),
  drain_s: +(drainMs / 1000).toFixed(1),
  ideal_s: +(idealMs / 1000).toFixed(1),
  drain_vs_ideal: +(drainMs / idealMs).toFixed(3),
  requests: drainRequests,
  minimum_requests: minimumRequests,
  requests_per_booking: +(drainRequests / BOOKINGS).toFixed(3),
  minimum_per_booking: +(minimumRequests / BOOKINGS).toFixed(3),
  requests_vs_minimum: +(drainRequests / minimumRequests).toFixed(3),
  achieved_rate_per_second: +(drainRequests / (drainMs / 1000)).toFixed(2),
  responses_429: emulator.count429,
  startup_requests: startupRequests,
  sessions_pages: sessions,
  clients_pages: clients,
  requests_by_kind: Object.fromEntries(byKind),
};
console.log('');
console.log(`drain: ${result.drain_s} s for an ideal of ${result.ideal_s} s (${minimumRequests} requests / ${RPS} per s) → ${result.drain_vs_ideal} × ideal`);
console.log(`requests: ${drainRequests} (${result.requests_per_booking} per booking) against a minimum of ${minimumRequests} (${result.minimum_per_booking} per booking) → ${result.requests_vs_minimum} × minimum`);
console.log(`429s received: ${result.responses_429}; pages: ${sessions} Sessions, ${clients} Clients`);
console.log(JSON.stringify(result, null, 2));

await app.stop();
await emulator.close();
fs.rmSync(dataDir, { recursive: true, force: true });
if (pgSchema) {
  const admin = new pg.Client({ connectionString: values['database-url'] });
  await admin.connect();
  await admin.query(`drop schema ${pgSchema} cascade`);
  await admin.end();
}
