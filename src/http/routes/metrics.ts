// GET /metrics: Prometheus text format. Unauthenticated, like /healthz, because Prometheus scrapers rarely
// carry bearer keys; it holds counts and states only (no uids, no personal data, no secrets). Keep the
// port private or filter /metrics at the proxy if counts themselves are sensitive where you run it.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../metrics.js';

export function metricsRoutes(metrics: Metrics) {
  return async function registerMetricsRoutes(app: FastifyInstance): Promise<void> {
    app.get('/metrics', async (_request, reply) => {
      const text = await metrics.text();
      return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
    });
  };
}
