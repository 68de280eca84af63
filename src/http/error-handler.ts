// Every error leaves as the contract's JSON shape with a code from src/errors.ts. Fastify's own errors
// (body too large, bad media type, bad JSON) are translated here, once.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CalsyncError, type ErrorCode } from '../errors.js';
import { isStoreUnreachable } from '../store/unreachable.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_VALIDATION: 'validation_error',
};

export function toCalsyncError(err: unknown): CalsyncError | null {
  if (err instanceof CalsyncError) return err;
  const fe = err as Partial<FastifyError>;
  const mapped = fe?.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return new CalsyncError(mapped);
  if (err instanceof SyntaxError && /JSON/.test(err.message)) return new CalsyncError('invalid_json');
  // Any route reading the store (not only intake) answers 503 when it cannot reach it, never 500.
  if (isStoreUnreachable(err)) return new CalsyncError('store_unavailable');
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new CalsyncError(fe.statusCode === 404 ? 'not_found' : 'bad_request', fe.message);
  }
  return null;
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const known = toCalsyncError(err);
    if (known) {
      if (known.status >= 500) request.log.warn({ code: known.code }, known.message);
      return reply.code(known.status).send(known.toBody());
    }
    request.log.error({ err }, 'unhandled error');
    const internal = new CalsyncError('internal_error');
    return reply.code(internal.status).send(internal.toBody());
  });
  app.setNotFoundHandler(notFound);
}

/** Paths are echoed only this far. */
const ECHOED_PATH_CHARS = 200;

export function notFound(request: FastifyRequest, reply: FastifyReply) {
  const path = (request.url.split('?')[0] ?? '').slice(0, ECHOED_PATH_CHARS);
  const e = new CalsyncError('not_found', `No route for ${request.method.slice(0, 20)} ${path}`);
  return reply.code(e.status).send(e.toBody());
}
