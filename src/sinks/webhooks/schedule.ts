// When a failed message is tried again (CONTRACT "Outbound webhooks", Svix's schedule): after 5 s, 5 min,
// 30 min, 2 h, 5 h, 10 h and 10 h, each with at most ±20% jitter, then the message is given up (`failed`).
// An endpoint failing without any success for 5 days is disabled. Tests inject shorter delays.

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Delay before retry 1, 2, ...; a message that failed once more than this list is long is given up. */
export const RETRY_DELAYS_MS: readonly number[] = [5 * SECOND_MS, 5 * MINUTE_MS, 30 * MINUTE_MS, 2 * HOUR_MS, 5 * HOUR_MS, 10 * HOUR_MS, 10 * HOUR_MS];
/** Each delay is moved by up to this share of itself, either way, so an outage's messages do not return together. */
export const RETRY_JITTER_RATIO = 0.2;
export const ENDPOINT_DISABLE_AFTER_MS = 5 * DAY_MS;

export interface RetrySchedule {
  delaysMs: readonly number[];
  jitterRatio: number;
  /** Failing without a success this long disables the endpoint. */
  disableAfterMs: number;
}

export const PRODUCTION_SCHEDULE: RetrySchedule = { delaysMs: RETRY_DELAYS_MS, jitterRatio: RETRY_JITTER_RATIO, disableAfterMs: ENDPOINT_DISABLE_AFTER_MS };

/**
 * The delay before the next attempt after `failedAttempts` failures of one message (1 after its first), or
 * null when the message is given up.
 */
export function retryDelayMs(failedAttempts: number, schedule: RetrySchedule, random: () => number = Math.random): number | null {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) throw new RangeError(`failedAttempts must be a positive integer, got ${failedAttempts}`);
  const base = schedule.delaysMs[failedAttempts - 1];
  if (base === undefined) return null;
  const factor = 1 + (random() * 2 - 1) * schedule.jitterRatio;
  return Math.max(0, Math.round(base * factor));
}

/** Attempts a message gets in all: the first and one per delay. */
export function maxAttempts(schedule: RetrySchedule): number {
  return schedule.delaysMs.length + 1;
}
