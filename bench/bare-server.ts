// The baseline for bench/intake: a bare Fastify route that does only what any receiver must — take the raw
// body, check the signature, parse the JSON — and answers 200. No validation, no store.
import Fastify from 'fastify';
import { verifyCalSignature } from '../src/calcom/signature.js';

const secret = process.env.CAL_WEBHOOK_SECRET ?? 'bench_secret_1';
const app = Fastify({ bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/webhooks/calcom', async (request, reply) => {
  const raw = request.body as Buffer;
  const verdict = verifyCalSignature(raw, request.headers['x-cal-signature-256'], [secret]);
  if (!verdict.ok) return reply.code(401).send({ status: 'error' });
  const body = JSON.parse(raw.toString('utf8')) as { triggerEvent?: string };
  return { status: 'processed', trigger: body.triggerEvent };
});
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`listening ${address}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
