// The real server with the Notion sink wired by addNotion() with test extras (an observer, tuning, where
// NOTION_PROPERTY_NAMES is read) instead of compose's defaults. Everything else is startTestServer's.
import pino from 'pino';
import type { AppOptions } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { addNotion, type NotionWiringExtras } from '../../../src/sinks/notion/wiring.js';
import { startTestServer, TEST_API_KEY, TEST_WEBHOOK_SECRET, type TestServer } from '../../support/server.js';
import type { StoreKind, StoreLocation } from '../../support/stores.js';

export interface NotionAppOptions {
  kind?: StoreKind;
  location?: StoreLocation;
  env: Record<string, string>;
  extras?: NotionWiringExtras;
}

export async function startNotionServer(options: NotionAppOptions): Promise<TestServer> {
  const config = loadConfig({
    PORT: '0',
    CAL_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    INTERNAL_API_KEY: TEST_API_KEY,
    ...options.location?.env,
    ...options.env,
  });
  const parts: AppOptions = { log: pino({ level: 'silent' }), sinks: [], extensions: { api: [], root: [] } };
  addNotion(parts, config, parts.log, { env: {}, ...options.extras });
  return startTestServer({
    ...(options.kind ? { kind: options.kind } : {}),
    ...(options.location ? { location: options.location } : {}),
    env: options.env,
    app: { sinks: parts.sinks ?? [], workers: parts.workers, extensions: parts.extensions ?? {} },
  });
}
