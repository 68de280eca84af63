// Headers every answer carries: JSON is never sniffed as something else, and no answer (appointments,
// attendees' data, error details) is kept by a browser or a shared cache. Pages that set their own
// Cache-Control (the admin pages) keep it.
import type { FastifyInstance } from 'fastify';

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
