// The Fastify instance: error shape, raw-body webhook context, bearer-protected /api context, health.
// Each capability is a plugin with its own routes; this file only wires them.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { FeatureRoutes, RouteDeps, RoutePlugin } from '../feature.js';
import { requireBearer } from './bearer-auth.js';
import { AUTH_THROTTLE_DEFAULTS, installAuthThrottle, type AuthThrottleOptions } from './auth-throttle.js';
import { installErrorHandlers, notFound } from './error-handler.js';
import { requestIdOf } from './request-id.js';
import { installSecurityHeaders } from './security-headers.js';
import { fastifyTimeoutOptions, resolveTimeouts, type ServerTimeouts } from './timeouts.js';
import { appointmentReadRoutes } from './routes/appointments.js';
import { healthRoutes } from './routes/health.js';
import { WEBHOOK_BODY_LIMIT_BYTES, webhookRoutes } from './routes/webhooks.js';

/** What every route plugin is given (defined with the feature types, below http/). */
export type ServerDeps = RouteDeps;

/** Routes that features add (under the bearer-protected /api prefix, or at the root). */
export type ApiPlugin = RoutePlugin;

export type ServerExtensions = FeatureRoutes;

export async function buildServer(
  deps: ServerDeps,
  ext: ServerExtensions = {},
  timeouts: Partial<ServerTimeouts> = {},
  authThrottle: AuthThrottleOptions = AUTH_THROTTLE_DEFAULTS,
): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    // pino's Logger and Fastify's logger type differ only in generics.
    loggerInstance: deps.log as unknown as FastifyBaseLogger,
    // One line per webhook is logged by its route instead of Fastify's two per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
    // The client's X-Request-Id goes into every log line, so it is checked first (src/http/request-id.ts).
    requestIdHeader: false,
    genReqId: requestIdOf,
    ...fastifyTimeoutOptions(resolveTimeouts(timeouts)),
    return503OnClosing: true,
    trustProxy: deps.trustProxy ?? false,
  });
  installErrorHandlers(app);
  installSecurityHeaders(app);
  // Before any route context, so every one of them sees `authThrottle` (wrong keys per address, 429).
  await installAuthThrottle(app, authThrottle);

  await app.register(async (ctx) => webhookRoutes(ctx, deps));
  await app.register(async (ctx) => healthRoutes(ctx, deps));
  await app.register(async (api) => {
    api.addHook('onRequest', requireBearer(deps.internalApiKey));
    await appointmentReadRoutes(api, deps);
    for (const plugin of ext.api ?? []) await plugin(api, deps);
  });
  // An unknown /api/... path asks for the key first, like a known one: no route map for strangers.
  await app.register(
    async (api) => {
      api.addHook('onRequest', requireBearer(deps.internalApiKey));
      api.setNotFoundHandler(notFound);
    },
    { prefix: '/api' },
  );
  for (const plugin of ext.root ?? []) await app.register(async (ctx) => plugin(ctx, deps));
  return app;
}
