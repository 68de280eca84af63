// The organizer lock plan: two overlapping placements of one organizer must always contend for a lock (a
// shared hour bucket, or an exclusive organizer lock), or concurrent overlap checks could both miss.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overlaps } from '../../src/appointments/conflicts.js';
import { organizerLockPlan, type LockPlacement } from '../../src/intake/locks.js';

const BASE_MS = Date.parse('2031-01-01T00:00:00Z');
const placement = fc
  .record({ email: fc.constantFrom('a@x.test', 'b@x.test'), startMin: fc.integer({ min: 0, max: 7 * 24 * 60 }), lengthMin: fc.integer({ min: 1, max: 4 * 24 * 60 }) })
  .map(({ email, startMin, lengthMin }): LockPlacement => ({
    email,
    startTime: new Date(BASE_MS + startMin * 60_000).toISOString(),
    endTime: new Date(BASE_MS + (startMin + lengthMin) * 60_000).toISOString(),
  }));

function contend(a: LockPlacement, b: LockPlacement): boolean {
  const pa = organizerLockPlan([a]);
  const pb = organizerLockPlan([b]);
  const exclusive = [...pa.organizers, ...pb.organizers].some(([email, mode]) => mode === 'exclusive' && pa.organizers.has(email) && pb.organizers.has(email));
  return exclusive || pa.buckets.some((bucket) => pb.buckets.includes(bucket));
}

describe('organizerLockPlan', () => {
  it('makes any two overlapping placements of one organizer contend', () => {
    fc.assert(
      fc.property(placement, placement, (a, b) => {
        if (a.email === b.email && overlaps(a as never, b as never)) expect(contend(a, b)).toBe(true);
      }),
      { numRuns: 5000, seed: 7 },
    );
  });

  it('lets bookings of one organizer at different hours proceed in parallel', () => {
    const nine = { email: 'a@x.test', startTime: '2031-01-01T09:00:00Z', endTime: '2031-01-01T09:30:00Z' };
    const ten = { email: 'a@x.test', startTime: '2031-01-01T10:00:00Z', endTime: '2031-01-01T10:30:00Z' };
    expect(contend(nine, ten)).toBe(false);
    expect(organizerLockPlan([nine]).organizers.get('a@x.test')).toBe('shared');
  });

  it('locks a placement without times, or longer than two days, exclusively', () => {
    expect(organizerLockPlan([{ email: 'a@x.test', startTime: null, endTime: null }]).organizers.get('a@x.test')).toBe('exclusive');
    const long = organizerLockPlan([{ email: 'a@x.test', startTime: '2031-01-01T00:00:00Z', endTime: '2031-01-04T00:00:00Z' }]);
    expect(long.organizers.get('a@x.test')).toBe('exclusive');
    expect(long.buckets).toEqual([]);
  });
});
