// The fetch the Notion client uses: every request of the sink goes through here, so this is where the rate
// limit, the sink-wide pauses Notion asks for, the timeout and the observer live.
//
// - Before each request: only the leader may send, and it takes a token from the sink's limiter (waiting out
//   any pause).
// - A 429 (rate_limited) or a 529 (service_overload) pauses the whole sink, and the same request is sent
//   again once the pause is over: Notion did not act on it (the SDK itself re-sends POSTs on both), so the
//   re-send can neither lose nor duplicate a page. The pause is Retry-After when Notion sends one (both
//   codes); otherwise 1 s for a 429, and for a 529 a backoff that doubles with each overload the request
//   meets (1 s … 30 s, jittered). The pause is persisted with its cause (code, `rate_limit_reason`) for the
//   next leader and the admin page, and logged. After `maxRateLimitResends` the answer goes to the SDK, and
//   the sync fails transiently (the worker's backoff takes over).
// - The SDK's own retry is off (see client.ts), so no 429/529 escapes this budget.
// - The timeout aborts the fetch (the SDK's own timeout only stops waiting and lets the request run on).
import type { Logger } from 'pino';
import { backoffDelayMs } from '../backoff.js';
import type { PauseCause, RateLimiter } from '../rate-limiter.js';
import { NotLeaderError, NotionTimeoutError } from './errors.js';
import type { NotionSinkObserver } from './observer.js';

export interface LimitedFetchDeps {
  limiter: RateLimiter;
  isLeader: () => boolean;
  observer: NotionSinkObserver;
  log: Logger;
  requestTimeoutMs: number;
  /** How many times one request is re-sent after 429s/529s before its sync is failed (and retried later). */
  maxRateLimitResends?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/** When a 429 carries no usable Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;
/** A 529 without Retry-After: the pause doubles from this with each overload one request meets… */
export const OVERLOAD_BASE_PAUSE_MS = 1_000;
/** …up to this. */
export const OVERLOAD_MAX_PAUSE_MS = 30_000;
/** A Retry-After longer than this is taken as this (a broken header must not stop the sink for a day). */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;
const DEFAULT_MAX_RATE_LIMIT_RESENDS = 5;
/** Notion's error bodies are a few hundred bytes; more than this is not read. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;
/** `rate_limit_reason` is Notion's word for the limit hit (a short identifier); anything longer is cut. */
const MAX_REASON_CHARS = 64;

const THROTTLE_STATUSES: ReadonlySet<number> = new Set([429, 529]);

type FetchInit = { method?: string; headers?: Record<string, string>; body?: string | FormData };

export function limitedFetch(deps: LimitedFetchDeps): (url: string, init?: FetchInit) => Promise<Response> {
  const baseFetch = deps.fetch ?? fetch;
  const now = deps.now ?? Date.now;
  const maxResends = deps.maxRateLimitResends ?? DEFAULT_MAX_RATE_LIMIT_RESENDS;
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    let overloads = 0;
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
      if (!THROTTLE_STATUSES.has(response.status)) return response;

      const overloaded = response.status === 529;
      if (overloaded) overloads += 1;
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), now());
      const pauseMs = Math.min(
        MAX_RETRY_AFTER_MS,
        retryAfterMs ?? (overloaded ? backoffDelayMs(overloads, { baseDelayMs: OVERLOAD_BASE_PAUSE_MS, maxDelayMs: OVERLOAD_MAX_PAUSE_MS }) : DEFAULT_RETRY_AFTER_MS),
      );
      const untilMs = now() + pauseMs;
      // The pause holds from now (other syncs' requests stop at once); it is persisted once the body said why.
      void deps.limiter.pauseUntil(untilMs, { persist: false });
      const text = await readBoundedText(response, MAX_ERROR_BODY_BYTES);
      const cause = throttleCause(response.status, text, pauseMs, retryAfterMs !== null, new Date(now()).toISOString());
      const giveUp = resends >= maxResends;
      deps.log.warn(
        { method, path: pathOf(url), status: response.status, code: cause.code, rate_limit_reason: cause.reason, pause_ms: pauseMs, resend: !giveUp },
        overloaded ? 'Notion is overloaded (529): pausing the whole sink' : 'Notion rate limit hit: pausing the whole sink',
      );
      if (overloaded) deps.observer.overloaded?.(pauseMs);
      else deps.observer.rateLimited(pauseMs);
      await deps.limiter.persistPause(untilMs, cause);
      // The SDK reads the answer itself; it gets the same status, headers and (already read) body.
      if (giveUp) return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
      deps.observer.retried(overloaded ? 'service_overload' : 'rate_limited');
    }
  };
}

/** What a 429/529 says, bounded: Notion's code and `additional_data.rate_limit_reason`, plus a line for people. */
export function throttleCause(status: number, body: string, pauseMs: number, fromRetryAfter: boolean, at: string): PauseCause {
  let code = status === 529 ? 'service_overload' : 'rate_limited';
  let reason: string | null = null;
  try {
    const parsed = JSON.parse(body) as { code?: unknown; additional_data?: { rate_limit_reason?: unknown } } | null;
    if (typeof parsed?.code === 'string') code = cleanIdentifier(parsed.code) ?? code;
    const raw = parsed?.additional_data?.rate_limit_reason;
    const first = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
    if (typeof first === 'string') reason = cleanIdentifier(first);
  } catch {
    // Not JSON (an edge proxy page): the status says enough.
  }
  const seconds = Math.ceil(pauseMs / 1000);
  const wait = `${fromRetryAfter ? 'Retry-After' : 'no Retry-After; backoff'} ${seconds} s`;
  const message =
    status === 529
      ? `Notion is overloaded (529 ${code}); the whole sink paused (${wait})`
      : `Notion rate limit hit (429 ${code}, rate_limit_reason: ${reason ?? 'none given'}); the whole sink paused (${wait})`;
  return { status, code, reason, message, at };
}

/** Keeps an outside identifier printable and short before it reaches a log, the store or a page. */
function cleanIdentifier(value: string): string | null {
  const cleaned = value.slice(0, MAX_REASON_CHARS * 4).replace(/[^A-Za-z0-9_.:-]/g, '').slice(0, MAX_REASON_CHARS);
  return cleaned === '' ? null : cleaned;
}

/** Reads at most `maxBytes` of the body, then lets the rest go. */
async function readBoundedText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off mid-way: what arrived is enough to find the code, or it is not.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/** Retry-After as delta-seconds or an HTTP date. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim().slice(0, 64);
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
