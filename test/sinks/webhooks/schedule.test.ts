// The production retry schedule is the contract's (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; ±20% jitter;
// then given up), and an endpoint is disabled after 5 days of failures.
import { describe, expect, it } from 'vitest';
import { ENDPOINT_DISABLE_AFTER_MS, maxAttempts, PRODUCTION_SCHEDULE, retryDelayMs } from '../../../src/sinks/webhooks/schedule.js';

const CONTRACT_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

describe('retry schedule', () => {
  it('is the contract\'s in production', () => {
    expect(PRODUCTION_SCHEDULE.delaysMs).toEqual(CONTRACT_DELAYS_MS);
    expect(PRODUCTION_SCHEDULE.jitterRatio).toBe(0.2);
    expect(ENDPOINT_DISABLE_AFTER_MS).toBe(5 * 24 * 3_600_000);
    expect(maxAttempts(PRODUCTION_SCHEDULE)).toBe(8);
  });

  it('jitters each delay within ±20%, reaching both bounds', () => {
    CONTRACT_DELAYS_MS.forEach((base, i) => {
      expect(retryDelayMs(i + 1, PRODUCTION_SCHEDULE, () => 0)).toBe(Math.round(base * 0.8));
      expect(retryDelayMs(i + 1, PRODUCTION_SCHEDULE, () => 0.5)).toBe(base);
      expect(retryDelayMs(i + 1, PRODUCTION_SCHEDULE, () => 0.999_999)).toBeLessThanOrEqual(Math.round(base * 1.2));
      for (let k = 0; k < 200; k += 1) {
        const d = retryDelayMs(i + 1, PRODUCTION_SCHEDULE) as number;
        expect(d).toBeGreaterThanOrEqual(Math.round(base * 0.8));
        expect(d).toBeLessThanOrEqual(Math.round(base * 1.2));
      }
    });
  });

  it('gives a message up after its eighth failed attempt', () => {
    expect(retryDelayMs(7, PRODUCTION_SCHEDULE)).not.toBeNull();
    expect(retryDelayMs(8, PRODUCTION_SCHEDULE)).toBeNull();
    expect(() => retryDelayMs(0, PRODUCTION_SCHEDULE)).toThrow(RangeError);
  });
});
