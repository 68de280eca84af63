// The overlap rule for one organizer's appointments: half-open intervals, active statuses only.
import { describe, expect, it } from 'vitest';
import { ACTIVE_STATUSES, isActive, overlaps, type TimeSpan } from '../../src/appointments/conflicts.js';

const span = (startTime: string | null, endTime: string | null): TimeSpan => ({ startTime, endTime });
const NINE_TO_TEN = span('2031-03-12T09:00:00.000Z', '2031-03-12T10:00:00.000Z');

describe('overlaps', () => {
  const TABLE: [string, TimeSpan, boolean][] = [
    ['the same slot', span('2031-03-12T09:00:00.000Z', '2031-03-12T10:00:00.000Z'), true],
    ['starting when the other ends (back to back)', span('2031-03-12T10:00:00.000Z', '2031-03-12T10:30:00.000Z'), false],
    ['ending when the other starts', span('2031-03-12T08:30:00.000Z', '2031-03-12T09:00:00.000Z'), false],
    ['one millisecond into it', span('2031-03-12T09:59:59.999Z', '2031-03-12T10:30:00.000Z'), true],
    ['one millisecond before its end, from before', span('2031-03-12T08:00:00.000Z', '2031-03-12T09:00:00.001Z'), true],
    ['inside it', span('2031-03-12T09:15:00.000Z', '2031-03-12T09:45:00.000Z'), true],
    ['around it', span('2031-03-12T08:00:00.000Z', '2031-03-12T11:00:00.000Z'), true],
    ['another day', span('2031-03-13T09:00:00.000Z', '2031-03-13T10:00:00.000Z'), false],
    ['the same instants written with an offset', span('2031-03-12T10:30:00+01:00', '2031-03-12T11:30:00+01:00'), true],
    ['back to back, written with an offset', span('2031-03-12T11:00:00+01:00', '2031-03-12T12:00:00+01:00'), false],
    ['an unknown start', span(null, '2031-03-12T10:00:00.000Z'), false],
    ['an unknown end', span('2031-03-12T09:00:00.000Z', null), false],
  ];
  it.each(TABLE)('%s -> %s, in both directions', (_name, other, expected) => {
    expect(overlaps(NINE_TO_TEN, other)).toBe(expected);
    expect(overlaps(other, NINE_TO_TEN)).toBe(expected);
  });
});

describe('isActive', () => {
  it.each([
    ['requested', true],
    ['accepted', true],
    ['cancelled', false],
    ['rejected', false],
    ['completed', false],
    ['something else', false],
  ])('%s -> %s', (status, expected) => {
    expect(isActive(status)).toBe(expected);
  });

  it('the active statuses are exactly the ones a slot is still held for', () => {
    expect([...ACTIVE_STATUSES].sort()).toEqual(['accepted', 'requested']);
  });
});
