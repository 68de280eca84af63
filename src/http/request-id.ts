// Request ids: a client's X-Request-Id is kept only when short and plain, because it goes into every log
// line of the request; anything else (long, spaces, commas of a repeated header, non-ASCII) gets a fresh id.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
const PLAIN_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Fastify's `genReqId`: the client's id when acceptable, else a random UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers[REQUEST_ID_HEADER];
  // Bounded before the pattern, although the pattern itself cannot backtrack.
  if (typeof sent === 'string' && sent.length <= 64 && PLAIN_REQUEST_ID.test(sent)) return sent;
  return randomUUID();
}
