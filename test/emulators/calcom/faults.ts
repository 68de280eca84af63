// Injected API failures and Cal.com's own throttler. Cal.com API v2 allows 120 requests a minute per API key:
// every answer carries `x-ratelimit-{limit,remaining,reset}-default` (reset in seconds until the window ends)
// and a request past the limit gets 429 ThrottlerException with those headers and NO Retry-After. The
// emulator does the same by default (a fixed window over all API requests, on the emulator's clock);
// `setRateLimit(null)` turns it off, `resetAs: 'unix'` sends the reset as a Unix time instead.
// Also "fail the next n requests" (429 like the throttler's, 503/other with Retry-After) and a standing fault.

import { ApiError } from './http.js';

export interface RateLimit {
  limit: number;
  windowMs: number;
  /** How `x-ratelimit-reset-default` is written: seconds until the window resets (Cal.com) or a Unix time in seconds. */
  resetAs?: 'seconds' | 'unix';
}

/** Cal.com's limit for an API key. */
export const CALCOM_DEFAULT_RATE_LIMIT: RateLimit = { limit: 120, windowMs: 60_000 };

interface QueuedFailure {
  status: number;
  retryAfterSeconds: number;
}

export class FaultInjector {
  private rateLimit: RateLimit | null;
  private windowStartMs = 0;
  private windowCount = 0;
  private queued: QueuedFailure[] = [];
  private standing: number | null = null;

  constructor(
    private readonly nowMs: () => number,
    private readonly defaultRateLimit: RateLimit | null = CALCOM_DEFAULT_RATE_LIMIT,
  ) {
    this.rateLimit = defaultRateLimit;
    this.windowStartMs = nowMs();
  }

  setRateLimit(limit: RateLimit | null): void {
    this.rateLimit = limit;
    this.windowStartMs = this.nowMs();
    this.windowCount = 0;
  }

  failNext(n: number, status: number, retryAfterSeconds: number): void {
    for (let i = 0; i < n; i++) this.queued.push({ status, retryAfterSeconds });
  }

  setFault(status: number | null): void {
    this.standing = status;
  }

  reset(): void {
    this.setRateLimit(this.defaultRateLimit);
    this.queued = [];
    this.standing = null;
  }

  /** Throws the ApiError a request should get instead of its real answer, if any; else returns extra headers. */
  check(): Record<string, string> {
    if (this.standing !== null) throw failure(this.standing, 1);
    const next = this.queued.shift();
    if (next) throw failure(next.status, next.retryAfterSeconds);
    return this.checkRateLimit();
  }

  private checkRateLimit(): Record<string, string> {
    const rl = this.rateLimit;
    if (!rl) return {};
    const now = this.nowMs();
    // A clock set back (tests) starts a new window too.
    if (now - this.windowStartMs >= rl.windowMs || now < this.windowStartMs) {
      this.windowStartMs = now;
      this.windowCount = 0;
    }
    this.windowCount++;
    const windowEndMs = this.windowStartMs + rl.windowMs;
    const resetSeconds = Math.max(1, Math.ceil((windowEndMs - now) / 1000));
    const headers = {
      'x-ratelimit-limit-default': String(rl.limit),
      'x-ratelimit-remaining-default': String(Math.max(0, rl.limit - this.windowCount)),
      'x-ratelimit-reset-default': rl.resetAs === 'unix' ? String(Math.ceil(windowEndMs / 1000)) : String(resetSeconds),
    };
    // Like Cal.com's throttler: the limit headers, and no Retry-After.
    if (this.windowCount > rl.limit) throw new ApiError(429, 'ThrottlerException: Too Many Requests', undefined, headers);
    return headers;
  }
}

function failure(status: number, retryAfterSeconds: number): ApiError {
  if (status === 429) {
    // A throttled answer as Cal.com sends it: the window is spent and resets in `retryAfterSeconds`.
    return new ApiError(429, 'ThrottlerException: Too Many Requests', undefined, {
      'x-ratelimit-limit-default': String(CALCOM_DEFAULT_RATE_LIMIT.limit),
      'x-ratelimit-remaining-default': '0',
      'x-ratelimit-reset-default': String(retryAfterSeconds),
    });
  }
  const headers: Record<string, string> = status === 503 ? { 'retry-after': String(retryAfterSeconds) } : {};
  return new ApiError(status, `Injected fault: ${status}`, undefined, headers);
}
