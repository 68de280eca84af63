// The Fastify instance: error shape, raw-body webhook context, bearer-protected /api context, health.
// Each capability is a plugin with its own routes; this file only wires them.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Intake } from '../intake/intake.js';
import type { RejectionLog } from '../intake/rejection-log.js';
import type { Store } from '../store/store.js';
import { requireBearer } from './bearer-auth.js';
import { installErrorHandlers } from './error-handler.js';
import type { IntakeObserver } from './observer.js';
import { appointmentReadRoutes } from './routes/appointments.js';
import { healthRoutes } from './routes/health.js';
import { WEBHOOK_BODY_LIMIT_BYTES, webhookRoutes } from './routes/webhooks.js';

export interface ServerDeps {
  store: Store;
  intake: Intake;
  log: Logger;
  webhookSecrets: () => readonly string[];
  internalApiKey: () => string;
  rejections: RejectionLog;
  observer: IntakeObserver;
  isShuttingDown: () => boolean;
}

/** Routes that other parts of calsync add (under the bearer-protected /api prefix, or at the root). */
export type ApiPlugin = (api: FastifyInstance, deps: ServerDeps) => Promise<void>;

export interface ServerExtensions {
  /** Registered inside the bearer-protected context. */
  api?: ApiPlugin[];
  /** Registered at the root, unprotected (they do their own auth, e.g. /admin, /metrics). */
  root?: ApiPlugin[];
}

export async function buildServer(deps: ServerDeps, ext: ServerExtensions = {}): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    // pino's Logger and Fastify's logger type differ only in generics.
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    // One line per webhook is logged by its route instead of Fastify's two per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
  });
  installErrorHandlers(app);

  await app.register(async (ctx) => webhookRoutes(ctx, deps));
  await app.register(async (ctx) => healthRoutes(ctx, deps));
  await app.register(async (api) => {
    api.addHook('onRequest', requireBearer(deps.internalApiKey));
    await appointmentReadRoutes(api, deps);
    for (const plugin of ext.api ?? []) await plugin(api, deps);
  });
  for (const plugin of ext.root ?? []) await app.register(async (ctx) => plugin(ctx, deps));
  return app;
}
