// Composes calsync from its parts: store, secrets, intake, HTTP server and background workers, and takes
// them down in the right order (stop accepting, finish in-flight work, stop workers, close the store).
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { Intake } from './intake/intake.js';
import { RejectionLog } from './intake/rejection-log.js';
import { NO_OBSERVER, type IntakeObserver } from './http/observer.js';
import { buildServer, type ServerExtensions } from './http/server.js';
import { resolveSecrets, type ResolvedSecrets } from './secrets.js';
import { openStore, type Store } from './store/store.js';

/** A background loop (a sink worker, reconciliation). `stop()` resolves when it has stopped. */
export interface Worker {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

export interface App {
  config: Config;
  store: Store;
  intake: Intake;
  server: FastifyInstance;
  secrets: ResolvedSecrets;
  workers: Worker[];
  log: Logger;
  /** Starts listening and the workers; resolves with the bound address. */
  listen(): Promise<string>;
  stop(): Promise<void>;
}

export interface AppOptions {
  log: Logger;
  observer?: IntakeObserver;
  extensions?: ServerExtensions;
  /** Sinks to mark dirty on each change, and the workers that drain them (built by the caller). */
  sinks?: string[];
  workers?: (parts: { store: Store; config: Config; log: Logger }) => Worker[];
}

export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const log = options.log;
  const store = await openStore(config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'sqlite', dataDir: config.dataDir });
  try {
    const secrets = await resolveSecrets(store, config);
    const intake = new Intake(store, { sinks: options.sinks ?? [], log });
    let shuttingDown = false;
    const server = await buildServer(
      {
        store,
        intake,
        log,
        webhookSecrets: () => secrets.webhookSecrets,
        internalApiKey: () => secrets.internalApiKey,
        rejections: new RejectionLog(store, log),
        observer: options.observer ?? NO_OBSERVER,
        isShuttingDown: () => shuttingDown,
      },
      options.extensions,
    );
    const workers = options.workers?.({ store, config, log }) ?? [];
    let stopped: Promise<void> | null = null;
    return {
      config,
      store,
      intake,
      server,
      secrets,
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
          await server.close();
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
