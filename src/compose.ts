// Which features the running app has, decided from the configuration in one place. main.ts, the CLI and
// the test server all use this list, so tests exercise the same wiring as production. Building the list
// does no I/O; createApp (src/app.ts) assembles the features in this order (see src/feature.ts).
import type { Logger } from 'pino';
import type { AppOptions } from './app.js';
import type { Config } from './config.js';
import type { Feature } from './feature.js';
import { calcomApiFeature } from './features/calcom-api.js';
import { notionFeature } from './features/notion.js';
import { operationsFeature } from './features/operations.js';
import { webhooksFeature } from './features/webhooks.js';

export function composeFeatures(config: Config): Feature[] {
  return [
    // The event log API, /admin and /metrics.
    operationsFeature(),
    // Cal.com API v2: POST /api/appointments, POST /api/reconcile, and the periodic reconcile worker.
    calcomApiFeature(config),
    // The Notion mirror: the 'notion' sink, its start-up check and worker, POST /api/notion/notion-handler.
    notionFeature(config),
    // Outbound webhooks: the 'webhooks' sink, its delivery worker, /api/webhook-endpoints.
    webhooksFeature(config),
  ];
}

export function composeAppOptions(config: Config, log: Logger): AppOptions {
  return { log, features: composeFeatures(config) };
}
