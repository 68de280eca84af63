// The fetch the Notion client uses: every request of the sink goes through here, so this is where the rate
// limit, the sink-wide Retry-After pause, the timeout and the observer live.
//
// - Before each request: only the leader may send, and it takes a token from the sink's limiter (waiting out
//   any pause).
// - A 429 pauses the whole sink for Retry-After and the same request is sent again once the pause is over
//   (a 429 means Notion did not act on it, so re-sending a POST is safe). The SDK's own retry is off (see
//   client.ts), so no 429 escapes this budget.
// - The timeout aborts the fetch (the SDK's own timeout only stops waiting and lets the request run on).
import type { Logger } from 'pino';
import type { RateLimiter } from '../rate-limiter.js';
import { NotLeaderError, NotionTimeoutError } from './errors.js';
import type { NotionSinkObserver } from './observer.js';

export interface LimitedFetchDeps {
  limiter: RateLimiter;
  isLeader: () => boolean;
  observer: NotionSinkObserver;
  log: Logger;
  requestTimeoutMs: number;
  /** How many times one request is re-sent after 429s before its sync is failed (and retried later). */
  maxRateLimitResends?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/** When a 429 carries no usable Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;
/** A Retry-After longer than this is taken as this (a broken header must not stop the sink for a day). */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;
const DEFAULT_MAX_RATE_LIMIT_RESENDS = 5;

type FetchInit = { method?: string; headers?: Record<string, string>; body?: string | FormData };

export function limitedFetch(deps: LimitedFetchDeps): (url: string, init?: FetchInit) => Promise<Response> {
  const baseFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const maxResends = deps.maxRateLimitResends ?? DEFAULT_MAX_RATE_LIMIT_RESENDS;
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    for (let resends = 0; ; resends += 1) {
      if (!deps.isLeader()) throw new NotLeaderError();
      await deps.limiter.acquire();
      if (!deps.isLeader()) throw new NotLeaderError();
      let response: Response;
      try {
        response = await baseFetch(url, { method, headers: init.headers, body: init.body, signal: AbortSignal.timeout(deps.requestTimeoutMs) });
      } catch (err) {
        deps.observer.request(method, 0);
        if (err instanceof DOMException && err.name === 'TimeoutError') throw new NotionTimeoutError(deps.requestTimeoutMs);
        throw err;
      }
      deps.observer.request(method, response.status);
      if (response.status !== 429 || resends >= maxResends) return response;
      const retryAfterMs = Math.min(MAX_RETRY_AFTER_MS, parseRetryAfterMs(response.headers.get('retry-after'), now()) ?? DEFAULT_RETRY_AFTER_MS);
      await response.body?.cancel().catch(() => {});
      deps.observer.rateLimited(retryAfterMs);
      deps.log.warn({ method, path: pathOf(url), retry_after_ms: retryAfterMs }, 'Notion rate limit hit: pausing the whole sink');
      await deps.limiter.pauseUntil(now() + retryAfterMs);
      deps.observer.retried('rate_limited');
    }
  };
}

/** Retry-After as delta-seconds or an HTTP date. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
