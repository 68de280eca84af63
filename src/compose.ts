// Which capabilities the running app has, decided from the configuration in one place: the routes each
// adds, the sinks it mirrors to and the workers it runs. main.ts and the test server both use this, so
// tests exercise the same wiring as production.
import type { Logger } from 'pino';
import type { AppOptions } from './app.js';
import type { Config } from './config.js';
import { adminRoutes } from './http/routes/admin.js';
import { eventLogRoutes } from './http/routes/events.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { redactSecretValues } from './logger.js';
import { createMetrics, notionSinkObserverFor } from './metrics.js';
import { calcomFeatures } from './reconcile/calcom-features.js';
import { addNotion } from './sinks/notion/wiring.js';

export function composeAppOptions(config: Config, log: Logger): AppOptions {
  const options: AppOptions = { log, sinks: [], extensions: { api: [], root: [] } };
  // Operating: the event log API, /admin and /metrics; intake reports to the metrics; secret values are
  // masked in the logs (configured ones now, generated ones once the app has resolved them).
  redactSecretValues(log, [config.notion?.token, config.calcom.apiKey, ...(config.webhookSecrets ?? []), config.internalApiKey]);
  const metrics = createMetrics({ sinks: () => options.sinks ?? [] });
  options.observer = metrics.intakeObserver;
  options.extensions?.api?.push(eventLogRoutes);
  options.extensions?.root?.push(
    async (_app, deps) => redactSecretValues(deps.log, [...deps.webhookSecrets(), deps.internalApiKey()]),
    adminRoutes,
    metricsRoutes(metrics),
  );
  // Cal.com API v2: POST /api/appointments, POST /api/reconcile, and the periodic reconcile worker.
  const calcom = calcomFeatures(config, log);
  options.extensions?.api?.push(calcom.apiPlugin);
  const earlierWorkers = options.workers;
  options.workers = (parts) => [...(earlierWorkers?.(parts) ?? []), ...calcom.workers()];
  // The Notion mirror (when NOTION_TOKEN is set): the 'notion' sink and its worker, and
  // POST /api/notion/notion-handler (503 when Notion is off), whose plugin also runs the start-up schema
  // check while the server is built (a failure stops createApp with one line naming what is missing).
  addNotion(options, config, log, { observer: notionSinkObserverFor(metrics) });
  return options;
}
