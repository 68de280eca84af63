// How long to wait before retrying a throttled Cal.com request. Cal.com's throttler answers 429 with
// `Retry-After` (seconds) and `X-RateLimit-Reset-*` (seconds until the window resets); an HTTP date is
// accepted too, as RFC 9110 allows it.

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `nowMs`; null when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/** The wait a 429 asks for: Retry-After first, then the rate-limit reset headers Cal.com sends. */
export function throttleDelayMs(headers: Headers, nowMs: number): number | null {
  const retryAfter = parseRetryAfterMs(headers.get('retry-after'), nowMs);
  if (retryAfter !== null) return retryAfter;
  for (const [name, value] of headers) {
    if (name.startsWith('x-ratelimit-reset')) {
      const seconds = Number(value);
      if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    }
  }
  return null;
}
