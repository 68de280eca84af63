// Assembles calsync top-down, once: open the store, resolve the secrets, build intake with every feature's
// sinks, prepare the features, build the HTTP server with their routes, then their workers (src/feature.ts
// says what a feature is). Takes it down in the right order: stop accepting, finish in-flight work, stop
// the workers, close the store.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { registeredSinks, type Feature, type FeatureParts, type RoutePlugin, type Worker } from './feature.js';
import { buildServer } from './http/server.js';
import type { AuthThrottleOptions } from './http/auth-throttle.js';
import { closeWithin, resolveTimeouts, type ServerTimeouts } from './http/timeouts.js';
import { Intake } from './intake/intake.js';
import { RejectionLog } from './intake/rejection-log.js';
import { redactSecretValues } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { resolveSecrets, type ResolvedSecrets } from './secrets.js';
import { openStore, storeConfigFor, type Store } from './store/store.js';

export type { Worker } from './feature.js';

export interface App {
  config: Config;
  store: Store;
  intake: Intake;
  server: FastifyInstance;
  secrets: ResolvedSecrets;
  metrics: Metrics;
  workers: Worker[];
  log: Logger;
  /** Starts listening and the workers; resolves with the bound address. */
  listen(): Promise<string>;
  stop(): Promise<void>;
}

export interface AppOptions {
  log: Logger;
  /** What the app does besides taking webhooks (src/compose.ts builds the list from the config). */
  features: readonly Feature[];
  /** Default: a fresh registry of the app's own. */
  metrics?: Metrics;
  /** Client and shutdown deadlines (src/http/timeouts.ts); tests shorten them. */
  serverTimeouts?: Partial<ServerTimeouts>;
  /** Failed-login budget per client address (src/http/auth-throttle.ts); tests that send many wrong keys widen it. */
  authThrottle?: AuthThrottleOptions;
}

export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const { log, features } = options;
  // Secret values are masked in the logs: the configured ones now, the generated ones once resolved.
  redactSecretValues(log, [config.notion?.token, config.calcom.apiKey, ...(config.webhookSecrets ?? []), config.internalApiKey]);
  const store = await openStore(storeConfigFor(config, log));
  try {
    const secrets = await resolveSecrets(store, config);
    redactSecretValues(log, [...secrets.webhookSecrets, secrets.internalApiKey]);
    const sinks = registeredSinks(features);
    const metrics = options.metrics ?? createMetrics({ sinks: () => sinks });
    metrics.watchStore(store);
    const intake = new Intake(store, { sinks, log });
    const parts: FeatureParts = { config, store, intake, log, secrets, metrics, sinks };

    for (const feature of features) await feature.prepare?.(parts);
    const api: RoutePlugin[] = [];
    const root: RoutePlugin[] = [];
    for (const feature of features) {
      const routes = feature.routes?.(parts);
      api.push(...(routes?.api ?? []));
      root.push(...(routes?.root ?? []));
    }
    let shuttingDown = false;
    const server = await buildServer(
      {
        store,
        intake,
        log,
        webhookSecrets: () => secrets.webhookSecrets,
        internalApiKey: () => secrets.internalApiKey,
        rejections: new RejectionLog(store, log),
        observer: metrics.intakeObserver,
        isShuttingDown: () => shuttingDown,
        trustProxy: config.trustProxy,
      },
      { api, root },
      options.serverTimeouts,
      options.authThrottle,
    );
    const workers = features.flatMap((feature) => feature.workers?.(parts) ?? []);

    let stopped: Promise<void> | null = null;
    return {
      config,
      store,
      intake,
      server,
      secrets,
      metrics,
      workers,
      log,
      async listen() {
        const address = await server.listen({ port: config.port, host: config.host });
        for (const w of workers) w.start();
        return address;
      },
      stop() {
        stopped ??= (async () => {
          shuttingDown = true;
          await closeWithin(server, resolveTimeouts(options.serverTimeouts).shutdownGraceMs, log);
          await intake.idle();
          await Promise.all(workers.map((w) => w.stop()));
          await store.close();
        })();
        return stopped;
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
