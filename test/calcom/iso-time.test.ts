import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isoTimeSchema, toIsoUtc } from '../../src/calcom/schemas-common.js';

// Every time is stored as toISOString's text; the usual UTC forms skip the Date round trip (toIsoUtc), so
// they must come out exactly as the round trip would print them.
describe('ISO times are normalised to toISOString text', () => {
  const dates = fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9998-12-31T23:59:59.999Z'), noInvalidDate: true });

  it('with milliseconds, without them, and with an offset', () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: -14 * 60, max: 14 * 60 }), (date, offsetMinutes) => {
        const iso = date.toISOString();
        const seconds = `${iso.slice(0, 19)}Z`;
        const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
        const sign = offsetMinutes < 0 ? '-' : '+';
        const abs = Math.abs(offsetMinutes);
        const offset = `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
        for (const value of [iso, seconds, offset]) {
          const expected = new Date(value).toISOString();
          expect(toIsoUtc(value)).toBe(expected);
          expect(isoTimeSchema.parse(value)).toBe(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['2031-06-02T00:30:00Z', '2031-06-02T00:30:00.000Z'],
    ['2031-06-02T00:30:00.120Z', '2031-06-02T00:30:00.120Z'],
    ['2031-06-02T00:30:00.1Z', '2031-06-02T00:30:00.100Z'],
    ['2031-06-02T00:30Z', '2031-06-02T00:30:00.000Z'],
    ['2031-06-02T01:30:00+01:00', '2031-06-02T00:30:00.000Z'],
    ['2031-06-02T00:30:00.123456Z', '2031-06-02T00:30:00.123Z'],
  ])('%s → %s', (value, expected) => {
    expect(isoTimeSchema.parse(value)).toBe(expected);
  });

  it('still refuses what is not a real time in UTC form', () => {
    for (const value of ['2026-02-30T10:00:00Z', '2026-13-01T10:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:00:60Z', '2026-01-01T10:00:00']) {
      expect(isoTimeSchema.safeParse(value).success).toBe(false);
    }
  });
});
