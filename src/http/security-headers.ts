// Headers every answer carries: JSON is never sniffed as something else, and no answer (appointments,
// attendees' data, error details) is kept by a browser or a shared cache. Pages that set their own
// Cache-Control (the admin pages) keep it.
import type { FastifyInstance } from 'fastify';

export function installSecurityHeaders(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every answer, and an async hook costs a promise and a
  // microtask turn each time for work that never waits.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}
