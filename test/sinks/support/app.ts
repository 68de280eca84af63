// The real server with the Notion feature built with test extras (an observer, tuning, where
// NOTION_PROPERTY_NAMES is read) in place of compose's. Everything else is startTestServer's.
import { loadConfig } from '../../../src/config.js';
import { composeFeatures } from '../../../src/compose.js';
import { notionFeature, type NotionFeatureExtras } from '../../../src/features/notion.js';
import { startTestServer, TEST_API_KEY, TEST_WEBHOOK_SECRET, type TestServer } from '../../support/server.js';
import type { StoreKind, StoreLocation } from '../../support/stores.js';

export interface NotionAppOptions {
  kind?: StoreKind;
  location?: StoreLocation;
  env: Record<string, string>;
  extras?: NotionFeatureExtras;
}

export async function startNotionServer(options: NotionAppOptions): Promise<TestServer> {
  const config = loadConfig({
    PORT: '0',
    CAL_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    INTERNAL_API_KEY: TEST_API_KEY,
    ...options.location?.env,
    ...options.env,
  });
  const notion = notionFeature(config, { env: {}, ...options.extras });
  return startTestServer({
    ...(options.kind ? { kind: options.kind } : {}),
    ...(options.location ? { location: options.location } : {}),
    env: options.env,
    app: { features: composeFeatures(config).map((feature) => (feature.name === notion.name ? notion : feature)) },
  });
}
