// How long a client may take, and how long shutdown waits. Without these a client that sends its headers
// and then no body (or a byte every few seconds) held a socket, and a file descriptor, forever, and kept
// SIGTERM from finishing (issue 11, item 2). Tests shorten them through createApp's `serverTimeouts`.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';

export interface ServerTimeouts {
  /** Every request header must have arrived within this, counted from the request's first byte. */
  headersMs: number;
  /** The whole request, headers and body; a slower one is answered 408 and its connection closed. */
  requestMs: number;
  /** An idle keep-alive connection between requests is closed after this. */
  keepAliveMs: number;
  /** A socket with no traffic either way is destroyed after this (longer than any handler's own bound). */
  socketIdleMs: number;
  /** On shutdown, in-flight requests get this long; then their connections are closed. */
  shutdownGraceMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  // Longer than the usual proxy's upstream idle time (60 s), so the proxy, not calsync, closes first.
  keepAliveMs: 72_000,
  socketIdleMs: 90_000,
  shutdownGraceMs: 10_000,
};

/** Node checks header and request deadlines on this period; a tenth of the shorter one keeps them tight. */
const MAX_DEADLINE_CHECK_MS = 1000;
const MIN_DEADLINE_CHECK_MS = 50;

export function resolveTimeouts(overrides: Partial<ServerTimeouts> = {}): ServerTimeouts {
  const t = { ...DEFAULT_SERVER_TIMEOUTS, ...overrides };
  // Node refuses a header deadline longer than the whole request's.
  return { ...t, headersMs: Math.min(t.headersMs, t.requestMs) };
}

/** Fastify's options for `t` (Fastify passes `http` on to Node's http.createServer). */
export function fastifyTimeoutOptions(t: ServerTimeouts): Pick<FastifyServerOptions, 'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout'> & {
  http: { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
} {
  const checkMs = Math.max(MIN_DEADLINE_CHECK_MS, Math.min(MAX_DEADLINE_CHECK_MS, Math.floor(Math.min(t.headersMs, t.requestMs) / 10)));
  return {
    requestTimeout: t.requestMs,
    connectionTimeout: t.socketIdleMs,
    keepAliveTimeout: t.keepAliveMs,
    http: { headersTimeout: t.headersMs, requestTimeout: t.requestMs, keepAliveTimeout: t.keepAliveMs, connectionsCheckingInterval: checkMs },
  };
}

/**
 * Stops accepting, lets in-flight requests finish for `graceMs`, then closes every connection still open
 * (a slow client's included), so shutdown always ends.
 */
export async function closeWithin(server: FastifyInstance, graceMs: number, log: Logger): Promise<void> {
  const timer = setTimeout(() => {
    log.warn({ grace_ms: graceMs }, 'shutdown: closing the connections still open after the grace period');
    server.server.closeAllConnections();
  }, graceMs);
  try {
    await server.close();
  } finally {
    clearTimeout(timer);
  }
}
