// Injected API failures: a fixed-window rate limit (429 with Retry-After, as Cal.com's throttler answers),
// "fail the next n requests", and a standing fault that answers every request with one status.

import { ApiError } from './http.js';

export interface RateLimit {
  limit: number;
  windowMs: number;
}

interface QueuedFailure {
  status: number;
  retryAfterSeconds: number;
}

export class FaultInjector {
  private rateLimit: RateLimit | null = null;
  private windowStartMs = 0;
  private windowCount = 0;
  private queued: QueuedFailure[] = [];
  private standing: number | null = null;

  constructor(private readonly nowMs: () => number) {}

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
    this.setRateLimit(null);
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
    if (now - this.windowStartMs >= rl.windowMs) {
      this.windowStartMs = now;
      this.windowCount = 0;
    }
    this.windowCount++;
    const resetSeconds = Math.max(1, Math.ceil((this.windowStartMs + rl.windowMs - now) / 1000));
    const headers = {
      'x-ratelimit-limit-default': String(rl.limit),
      'x-ratelimit-remaining-default': String(Math.max(0, rl.limit - this.windowCount)),
      'x-ratelimit-reset-default': String(resetSeconds),
    };
    if (this.windowCount > rl.limit) {
      throw new ApiError(429, 'ThrottlerException: Too Many Requests', undefined, {
        ...headers,
        'retry-after': String(resetSeconds),
      });
    }
    return headers;
  }
}

function failure(status: number, retryAfterSeconds: number): ApiError {
  const headers: Record<string, string> =
    status === 429 || status === 503 ? { 'retry-after': String(retryAfterSeconds) } : {};
  const message = status === 429 ? 'ThrottlerException: Too Many Requests' : `Injected fault: ${status}`;
  return new ApiError(status, message, undefined, headers);
}
