// The bare receiver the benchmarks compare against: Fastify with a raw-body parser, the signature check and
// JSON.parse, answering 200. `afterParse` adds one step before the answer (bench/durable-floor-server.ts);
// without it this is the bare route itself (bench/bare-server.ts).
import Fastify from 'fastify';
import { verifyCalSignature } from '../src/calcom/signature.js';

/** Returns an error answer to send instead of 200, or nothing. */
export type AfterParse = (text: string, body: { triggerEvent?: string }) => Promise<{ status: number; body: unknown } | void>;

export async function startBareServer(afterParse?: AfterParse, onClose?: () => void): Promise<void> {
  const secret = process.env.CAL_WEBHOOK_SECRET ?? 'bench_secret_1';
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/webhooks/calcom', async (request, reply) => {
    const raw = request.body as Buffer;
    const verdict = verifyCalSignature(raw, request.headers['x-cal-signature-256'], [secret]);
    if (!verdict.ok) return reply.code(401).send({ status: 'error' });
    const text = raw.toString('utf8');
    const body = JSON.parse(text) as { triggerEvent?: string };
    const refusal = afterParse ? await afterParse(text, body) : undefined;
    if (refusal) return reply.code(refusal.status).send(refusal.body);
    return { status: 'processed', trigger: body.triggerEvent };
  });
  const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
  process.stdout.write(`listening ${address}\n`);
  process.once('SIGTERM', () =>
    void app.close().then(() => {
      onClose?.();
      process.exit(0);
    }),
  );
}
