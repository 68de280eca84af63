// A token bucket per emulator (Notion limits per integration token; tests use one token).
// It starts full so a burst is allowed up front, refills continuously, and a refused request
// costs nothing, like Notion's limiter which only counts requests it lets through.

export interface RateLimitConfig {
  /** Sustained rate; Notion's classic figure is 3. */
  ratePerSecond: number;
  /** Bucket size: how many requests may go back to back from full. */
  burst: number;
  /** `additional_data.rate_limit_reason` of its 429s; default DEFAULT_RATE_LIMIT_REASON (faults.ts). */
  reason?: string;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;

  constructor(
    private readonly config: RateLimitConfig,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    if (!(config.ratePerSecond > 0) || !(config.burst >= 1)) {
      throw new RangeError('rateLimit needs ratePerSecond > 0 and burst >= 1');
    }
    this.tokens = config.burst;
    this.lastRefillMs = this.nowMs();
  }

  get reason(): string | undefined {
    return this.config.reason;
  }

  take(): TakeResult {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    // Retry-After is whole seconds (what Notion sends and what the SDK parses); round up so that a
    // client honouring it finds a token, and never answer 0 which would invite a hot retry loop.
    const waitSeconds = (1 - this.tokens) / this.config.ratePerSecond;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
  }

  private refill(): void {
    const now = this.nowMs();
    const elapsedSeconds = (now - this.lastRefillMs) / 1000;
    this.lastRefillMs = now;
    this.tokens = Math.min(this.config.burst, this.tokens + elapsedSeconds * this.config.ratePerSecond);
  }
}
