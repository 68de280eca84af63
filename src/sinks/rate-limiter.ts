// The request budget of one sink: a token bucket at NOTION_RATE_LIMIT_RPS that every request of the sink
// takes from, plus a sink-wide pause. A 429's Retry-After pauses the whole sink, not just the request that
// got it, and the pause is kept in the store so that a new leader (or a restarted process) honours it too.

/** Why the outside system asked the sink to wait (e.g. Notion's 429 and its rate_limit_reason), for people. */
export interface PauseCause {
  status: number;
  code: string;
  reason: string | null;
  message: string;
  /** When the answer came (ISO). */
  at: string;
}

export interface PauseStore {
  /** The persisted pause end (epoch ms), 0 when none. */
  load(): Promise<number>;
  save(untilMs: number, cause?: PauseCause): Promise<void>;
}

export interface RateLimiterOptions {
  ratePerSecond: number;
  /** Requests that may go back to back after an idle spell; 1 = evenly spaced. */
  burst?: number;
  pauseStore?: PauseStore;
  now?: () => number;
}

export class LimiterClosedError extends Error {
  constructor() {
    super('the sink is stopping; request not sent');
    this.name = 'LimiterClosedError';
  }
}

export class RateLimiter {
  private readonly intervalMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  /** Theoretical arrival time of the next request (GCRA form of a token bucket). */
  private nextAtMs = 0;
  private pausedUntilMs = 0;
  private closed = false;
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly options: RateLimiterOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be above 0');
    this.intervalMs = 1000 / options.ratePerSecond;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.now = options.now ?? (() => Date.now());
  }

  get pausedUntil(): number {
    return this.pausedUntilMs;
  }

  /** Waits for the sink's pause to end and a token to be free, then takes it. */
  async acquire(): Promise<void> {
    for (;;) {
      if (this.closed) throw new LimiterClosedError();
      const waitMs = this.tryTake(this.now());
      if (waitMs === 0) return;
      await this.sleep(waitMs);
    }
  }

  /** Pauses every request of the sink until `untilMs` (a pause never shortens), and persists it with its cause. */
  async pauseUntil(untilMs: number, options: { persist: boolean; cause?: PauseCause } = { persist: true }): Promise<void> {
    if (untilMs <= Math.max(this.pausedUntilMs, this.now())) return;
    this.applyPause(untilMs);
    if (options.persist) await this.options.pauseStore?.save(untilMs, options.cause);
  }

  /**
   * Persists a pause already applied (with `pauseUntil(…, {persist: false})`, so that it held from the
   * moment the answer came) once its cause is known; a longer pause that took over meanwhile is kept instead.
   */
  async persistPause(untilMs: number, cause?: PauseCause): Promise<void> {
    if (untilMs < this.pausedUntilMs) return;
    await this.options.pauseStore?.save(untilMs, cause);
  }

  /** Adopts a pause persisted by an earlier leader or process. */
  async loadPersistedPause(): Promise<void> {
    const until = (await this.options.pauseStore?.load()) ?? 0;
    if (until > this.now()) this.applyPause(until);
  }

  /** Refuses every waiting and future request (the sink is stopping). */
  close(): void {
    this.closed = true;
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
  }

  private applyPause(untilMs: number): void {
    this.pausedUntilMs = Math.max(this.pausedUntilMs, untilMs);
    // After a pause, requests resume at the rate, not as a burst that would hit the limit again.
    this.nextAtMs = Math.max(this.nextAtMs, this.pausedUntilMs + (this.burst - 1) * this.intervalMs);
  }

  /** 0 when a token was taken, else how long to wait before trying again. */
  private tryTake(now: number): number {
    if (now < this.pausedUntilMs) return this.pausedUntilMs - now;
    const earliest = this.nextAtMs - (this.burst - 1) * this.intervalMs;
    if (now < earliest) return Math.max(1, Math.ceil(earliest - now));
    this.nextAtMs = Math.max(this.nextAtMs, now) + this.intervalMs;
    return 0;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
