// The first hour on a fresh DATA_DIR, with the real `npm start` entry (src/main.ts through tsx) as a child:
// a busy port names PORT=, and a banner lost to that failed start is not lost for good: every later start
// says in the log where the generated secrets are (never the values), until the first webhook arrives.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, calcomWebhookHeaders, makeBookingUid, serializeCalcomBody } from '../../src/calcom/samples.js';
import { freePort } from '../support/child-server.js';
import { generatedSecretsBanner, remindWhereSecretsAre } from '../../src/secrets.js';
import { startTestServer, TEST_WEBHOOK_SECRET, type TestServer } from '../support/server.js';
import { STORE_KINDS, tempDir } from '../support/stores.js';

const MAIN_TS = path.resolve(import.meta.dirname, '..', '..', 'src', 'main.ts');
const TSX = import.meta.resolve('tsx');
const START_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

interface Run {
  out: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<void>;
}

function start(cwd: string, port: number): Run {
  const child = spawn(process.execPath, ['--import', TSX, MAIN_TS], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: 'data', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    out: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function until(run: Run, what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${START_TIMEOUT_MS} ms:\n${run.out()}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no ${what} within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the first start on a fresh DATA_DIR', () => {
  const cwd = tempDir('calsync-first-start-');
  const runs: Run[] = [];
  const blocker = net.createServer();
  afterAll(async () => {
    for (const r of runs) await r.stop();
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('a busy port names PORT=; the next starts say where the secrets are until the first webhook', async () => {
    const busy = await freePort();
    await new Promise<void>((resolve) => blocker.listen(busy, '127.0.0.1', resolve));
    const failed = start(cwd, busy);
    runs.push(failed);
    expect(await within(failed.exited, 'exit')).toBe(1);
    expect(failed.out()).toContain(`calsync: port ${busy} on 127.0.0.1 is already in use`);
    expect(failed.out()).toMatch(/PORT=\d+ npm start/);
    const file = path.join(cwd, 'data', 'generated-secrets.env');
    const secrets = fs.readFileSync(file, 'utf8');
    const secret = /^CAL_WEBHOOK_SECRET=(\S+)$/m.exec(secrets)![1]!;
    const key = /^INTERNAL_API_KEY=(\S+)$/m.exec(secrets)![1]!;

    // The banner was lost with that start; this one prints none, but says where the values are.
    const port = await freePort();
    const second = start(cwd, port);
    runs.push(second);
    await until(second, 'listening line', () => second.out().includes('calsync listening'));
    await until(second, 'hint', () => second.out().includes('generated secrets are in data/generated-secrets.env'));
    expect(second.out()).not.toContain(secret);
    expect(second.out()).not.toContain(key);
    const hint = second.out().split('\n').find((l) => l.includes('generated secrets are in'))!;
    expect(JSON.parse(hint)).toMatchObject({ level: 40, secrets_file: file });

    // The first webhook arrives.
    const raw = serializeCalcomBody(buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid('first-start'), startTime: '2030-01-07T09:00:00Z' }));
    const res = await fetch(`http://127.0.0.1:${port}/webhooks/calcom`, { method: 'POST', headers: calcomWebhookHeaders(raw, secret), body: raw });
    expect(res.status).toBe(200);
    await second.stop();
    // Once a webhook arrived, later starts stop reminding (checked in-process below, on both stores).
    }, 50_000);
});

describe.each(STORE_KINDS)('the reminder until the first webhook (%s)', (kind) => {
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
  });

  it('is logged while no webhook has arrived, without values, and not after', async () => {
    server = await startTestServer({ kind });
    const lines: { fields: Record<string, unknown>; msg: string }[] = [];
    const log = { warn: (fields: Record<string, unknown>, msg: string) => void lines.push({ fields, msg }) };
    const generated = { dataDir: path.join('data'), webhookSecrets: null, internalApiKey: null };
    expect(await remindWhereSecretsAre(server.app.store, generated, log as never)).toBe(true);
    expect(lines[0]!.msg).toContain(kind === 'sqlite' ? 'generated secrets are in data/generated-secrets.env' : 'generated secrets are kept in the database');
    expect(lines[0]!.msg).toContain('CAL_WEBHOOK_SECRET, INTERNAL_API_KEY');
    expect(lines[0]!.msg).not.toContain(TEST_WEBHOOK_SECRET);
    // Nothing was generated: nothing to say.
    expect(await remindWhereSecretsAre(server.app.store, { ...generated, webhookSecrets: [TEST_WEBHOOK_SECRET], internalApiKey: 'k'.repeat(32) }, log as never)).toBe(false);

    expect((await server.sendWebhook(buildCalcomBody('PING', {}))).status).toBe(200);
    expect(await remindWhereSecretsAre(server.app.store, generated, log as never)).toBe(false);
    expect(lines).toHaveLength(1);
  });
});

describe('the generated-secrets banner', () => {
  const secrets = { webhookSecrets: ['whsec_abc'], internalApiKey: 'csk_def', generatedNow: ['CAL_WEBHOOK_SECRET', 'INTERNAL_API_KEY'] as ('CAL_WEBHOOK_SECRET' | 'INTERNAL_API_KEY')[] };

  it('says Cal.com cloud needs a public HTTPS URL, how to get one, and the register command', () => {
    const text = generatedSecretsBanner(secrets, 'http://localhost:3000', path.join(process.cwd(), 'data', 'generated-secrets.env'));
    expect(text).toContain('kept in data/generated-secrets.env');
    expect(text).toMatch(/public HTTPS URL/);
    expect(text).toMatch(/reverse proxy/);
    expect(text).toMatch(/tunnel/);
    expect(text).toContain('npx calsync calcom register --url https://YOUR-HOST');
    expect(text).toContain('CAL_WEBHOOK_SECRET=whsec_abc');
    expect(text).toContain('INTERNAL_API_KEY=csk_def');
    // localhost is named only as what a Cal.com on this machine can use.
    expect(text).toMatch(/Only a Cal\.com on this\s+machine can use http:\/\/localhost:3000\/webhooks\/calcom/);
  });
});
