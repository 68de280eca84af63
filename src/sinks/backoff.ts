// Capped exponential backoff with jitter, for rows whose sync failed transiently.

export interface BackoffPolicy {
  /** Delay after the first failure. */
  baseDelayMs: number;
  /** No delay grows beyond this. */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 };

/**
 * Delay before attempt `failures + 1`: base·2^(failures−1), capped, then jittered into [½, 1] of itself so
 * that rows failing together (an outage) do not come back together.
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
