// Starts the real calsync (real Fastify listening on a real port, real store) inside the test process,
// and talks to it over HTTP.
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { composeAppOptions } from '../../src/compose.js';
import { signPayload } from '../../src/calcom/signature.js';
import { createLogger } from '../../src/logger.js';
import { freshStoreLocation, type StoreKind, type StoreLocation } from './stores.js';

export const TEST_WEBHOOK_SECRET = 'whsec_test_secret_1';
export const TEST_API_KEY = 'csk_test_internal_api_key_0001';

export interface TestServer {
  app: App;
  url: string;
  location: StoreLocation;
  /** Log lines the server wrote (JSON objects). */
  logs: Record<string, unknown>[];
  /** The same lines as written (JSON.parse would hide a field written twice). */
  rawLogs: string[];
  sendWebhook(body: unknown, opts?: { secret?: string; headers?: Record<string, string>; path?: string; raw?: string }): Promise<Response>;
  api(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  kind?: StoreKind;
  env?: Record<string, string>;
  /** Reuse a store location (e.g. to restart on the same data). */
  location?: StoreLocation;
  app?: Partial<AppOptions>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const location = options.location ?? (await freshStoreLocation(options.kind ?? 'sqlite'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    CAL_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    INTERNAL_API_KEY: TEST_API_KEY,
    LOG_LEVEL: 'info',
    ...location.env,
    ...options.env,
  });
  const logs: Record<string, unknown>[] = [];
  const rawLogs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) {
          rawLogs.push(line);
          logs.push(JSON.parse(line) as Record<string, unknown>);
        }
      done();
    },
  });
  const log = createLogger({ level: config.logLevel, personalData: config.logPersonalData, destination: sink });
  const app = await createApp(config, { ...composeAppOptions(config, log), ...options.app });
  const url = await app.listen();
  return {
    app,
    url,
    location,
    logs,
    rawLogs,
    async sendWebhook(body, opts = {}) {
      const raw = opts.raw ?? JSON.stringify(body);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-cal-signature-256': signPayload(raw, opts.secret ?? TEST_WEBHOOK_SECRET),
        ...opts.headers,
      };
      return fetch(url + (opts.path ?? '/webhooks/calcom'), { method: 'POST', headers, body: raw });
    },
    async api(path, init = {}) {
      return fetch(url + path, { ...init, headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(init.headers as Record<string, string>) } });
    },
    async close() {
      await app.stop();
    },
  };
}

/**
 * One server for the enclosing describe (or file): started in beforeAll, closed with its store removed in
 * afterAll. The object returned stands for it and may be used inside tests and hooks.
 */
export function useTestServer(options: TestServerOptions = {}): TestServer {
  let started: TestServer | undefined;
  beforeAll(async () => {
    started = await startTestServer(options);
  });
  afterAll(async () => {
    await started?.close();
    await started?.location.cleanup();
  });
  const current = (): TestServer => {
    if (started === undefined) throw new Error('the test server starts in beforeAll; use it inside a test or a later hook');
    return started;
  };
  return {
    get app() {
      return current().app;
    },
    get url() {
      return current().url;
    },
    get location() {
      return current().location;
    },
    get logs() {
      return current().logs;
    },
    get rawLogs() {
      return current().rawLogs;
    },
    sendWebhook: (body, opts) => current().sendWebhook(body, opts),
    api: (path, init) => current().api(path, init),
    close: () => current().close(),
  };
}
