// How long to wait before (or instead of) a Cal.com API request. Cal.com's API v2 throttler answers every
// request with `X-RateLimit-{Limit,Remaining,Reset}-<name>` (`-Default` for API keys: 120 requests a minute)
// and a 429 once a window is spent, with no `Retry-After`. `Reset` is documented as seconds until the window
// resets; a Unix time (seconds, or milliseconds) is accepted too, since throttlers differ on this. A
// `Retry-After` (delta seconds or an HTTP date, RFC 9110) still wins when a proxy or a later Cal.com sends one.

/** Longer than any real window (Cal.com's is a minute): a bigger number can only be a Unix time. */
const MAX_DELTA_RESET_SECONDS = 10 * 365 * 24 * 3600;
/** Headers are short; a longer value is not a number worth reading. */
const MAX_HEADER_CHARS = 32;

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `nowMs`; null when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null || value.length > 64) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/** `X-RateLimit-Reset-*` into milliseconds from `nowMs`: seconds to wait, or a Unix time in seconds or ms. */
export function parseResetMs(value: string | null, nowMs: number): number | null {
  if (value === null || value.length > MAX_HEADER_CHARS) return null;
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const n = Number(text);
  if (n <= MAX_DELTA_RESET_SECONDS) return Math.round(n * 1000);
  const atMs = n >= 1e12 ? n : n * 1000;
  return Math.max(0, Math.round(atMs - nowMs));
}

/** One named throttler's window as an answer reports it. */
export interface RateLimitWindow {
  name: string;
  limit: number | null;
  remaining: number;
  /** Milliseconds from now until the window resets; null when not said. */
  resetMs: number | null;
}

/** Every throttler window the answer reports (`x-ratelimit-remaining` or `x-ratelimit-remaining-<name>`). */
export function rateLimitWindows(headers: Headers, nowMs: number): RateLimitWindow[] {
  const out: RateLimitWindow[] = [];
  for (const [header, value] of headers) {
    const m = /^x-ratelimit-remaining(-[a-z0-9_]{1,32})?$/.exec(header);
    if (!m || value.length > MAX_HEADER_CHARS || !/^\d{1,9}$/.test(value.trim())) continue;
    const suffix = m[1] ?? '';
    const limit = headers.get(`x-ratelimit-limit${suffix}`);
    out.push({
      name: suffix === '' ? 'default' : suffix.slice(1),
      limit: limit !== null && /^\d{1,9}$/.test(limit.trim()) ? Number(limit) : null,
      remaining: Number(value),
      resetMs: parseResetMs(headers.get(`x-ratelimit-reset${suffix}`), nowMs),
    });
  }
  return out;
}

/**
 * The wait a 429 asks for: Retry-After first; else the reset of the window that is spent (remaining 0), or
 * the longest reset named when none says it is spent. Null when the answer names no wait at all.
 */
export function throttleDelayMs(headers: Headers, nowMs: number): number | null {
  const retryAfter = parseRetryAfterMs(headers.get('retry-after'), nowMs);
  if (retryAfter !== null) return retryAfter;
  const windows = rateLimitWindows(headers, nowMs).filter((w) => w.resetMs !== null);
  const spent = windows.filter((w) => w.remaining === 0);
  const resets = (spent.length > 0 ? spent : windows).map((w) => w.resetMs as number);
  return resets.length > 0 ? Math.max(...resets) : null;
}

/**
 * Pacing: how long to hold the NEXT request so the window is never overrun, from what this answer reported.
 * A window with at most `reserveFraction` of its limit left (and always when nothing is left) is waited out
 * until it resets; the reserve leaves room for requests already on their way (other routes, other instances).
 */
export function paceDelayMs(headers: Headers, nowMs: number, reserveFraction: number): number {
  let wait = 0;
  for (const w of rateLimitWindows(headers, nowMs)) {
    const reserve = w.limit === null ? 0 : Math.floor(w.limit * reserveFraction);
    if (w.remaining <= reserve && w.resetMs !== null) wait = Math.max(wait, w.resetMs);
  }
  return wait;
}
