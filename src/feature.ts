// What a feature of calsync is, and what it is given. A feature (the Notion mirror, the Cal.com API, the
// operator pages, outbound webhooks) is one value built from the configuration in src/compose.ts, with no
// I/O. src/app.ts `createApp` then assembles the app top-down, once:
//
//   1. open the store, resolve the secrets;
//   2. collect every feature's `sinks` (the sink registry) and build intake with it, so each change marks
//      every registered sink dirty;
//   3. `prepare(parts)` of each feature, in list order (start-up checks, objects its routes and workers
//      share; a throw stops createApp, e.g. a Notion database that does not fit the mapping);
//   4. `routes(parts)` of each feature, registered by src/http/server.ts: `api` inside the bearer-protected
//      context, `root` at the root (they do their own auth, like /admin and /metrics);
//   5. `workers(parts)` of each feature, started by `listen()` and stopped by `stop()` after intake drained.
//
// So a feature registers a sink by listing it in `sinks`, routes by returning plugins from `routes`, and
// background loops by returning them from `workers`; nothing reaches into a shared options object, and
// nothing is created inside an HTTP plugin that a worker depends on. This module sits below http/, sinks/,
// reconcile/ and intake/'s callers: those import `Worker` and the feature types from here, never app.ts.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config, TrustProxy } from './config.js';
import type { Intake } from './intake/intake.js';
import type { IntakeObserver } from './intake/observer.js';
import type { RejectionLog } from './intake/rejection-log.js';
import type { Metrics } from './metrics.js';
import type { ResolvedSecrets } from './secrets.js';
import type { Store } from './store/store.js';

/** A background loop (a sink worker, reconciliation). `stop()` resolves when it has stopped. */
export interface Worker {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

/** What createApp has built before it asks the features for anything. */
export interface FeatureParts {
  readonly config: Config;
  readonly store: Store;
  readonly intake: Intake;
  readonly log: Logger;
  readonly secrets: ResolvedSecrets;
  /** The app's Prometheus registry and the observers that count into it. */
  readonly metrics: Metrics;
  /** Every registered sink's name (from all features' `sinks`), in registration order. */
  readonly sinks: readonly string[];
}

/** What an HTTP route plugin is given (src/http/server.ts builds it from the parts). */
export interface RouteDeps {
  store: Store;
  intake: Intake;
  log: Logger;
  webhookSecrets: () => readonly string[];
  internalApiKey: () => string;
  rejections: RejectionLog;
  observer: IntakeObserver;
  isShuttingDown: () => boolean;
  /** Which reverse proxies' X-Forwarded-* headers count (TRUST_PROXY). */
  trustProxy?: TrustProxy;
}

/** Registers routes on the context it is given (the bearer-protected /api context, or the root). */
export type RoutePlugin = (app: FastifyInstance, deps: RouteDeps) => Promise<void>;

export interface FeatureRoutes {
  /** Registered inside the bearer-protected context. */
  api?: RoutePlugin[];
  /** Registered at the root, unprotected (they do their own auth, e.g. /admin, /metrics). */
  root?: RoutePlugin[];
}

export interface Feature {
  /** For logs and errors ("notion", "calcom-api", "operations"). */
  readonly name: string;
  /**
   * Names of the sinks this feature mirrors appointments to: intake marks each of them dirty on every
   * change. The sink itself (src/sinks/sink.ts) is driven by a worker the feature returns from `workers`;
   * its name, title and labels are registered in src/sinks/registry.ts.
   */
  readonly sinks?: readonly string[];
  /** Runs once, after intake exists and before any route or worker is built. */
  prepare?(parts: FeatureParts): Promise<void>;
  routes?(parts: FeatureParts): FeatureRoutes;
  workers?(parts: FeatureParts): Worker[];
}

/** The sink registry: every feature's sinks, in feature order, each once. */
export function registeredSinks(features: readonly Feature[]): string[] {
  return [...new Set(features.flatMap((feature) => feature.sinks ?? []))];
}
