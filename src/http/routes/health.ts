// /healthz: the process answers. /readyz: the store answers too (a load balancer stops sending otherwise).
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';

const READY_TIMEOUT_MS = 2000;

export async function healthRoutes(app: FastifyInstance, deps: { store: Store; isShuttingDown: () => boolean }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (deps.isShuttingDown()) return reply.code(503).send({ status: 'shutting_down' });
    try {
      await Promise.race([
        deps.store.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('store ping timed out')), READY_TIMEOUT_MS).unref()),
      ]);
      return { status: 'ready', store: deps.store.quirks.name };
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', store: deps.store.quirks.name, error: err instanceof Error ? err.message : String(err) });
    }
  });
}
