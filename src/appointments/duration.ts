// How long one appointment may last. Cal.com bookings last minutes to days; a signed booking from year 0001
// to 9999 would overlap (and flag as conflicting) every appointment its organizer has, so such spans are
// refused at the edge instead of stored.

/** Generous: a month-long booking still passes; anything longer is not a meeting. */
export const MAX_APPOINTMENT_DURATION_DAYS = 31;
export const MAX_APPOINTMENT_DURATION_MS = MAX_APPOINTMENT_DURATION_DAYS * 24 * 60 * 60 * 1000;

/** Why [startTime, endTime) is not an acceptable appointment span, or null when it is (or a time is unknown). */
export function durationProblem(startTime: string | null, endTime: string | null): string | null {
  if (!startTime || !endTime) return null;
  const start = Date.parse(startTime);
  const end = Date.parse(endTime);
  if (Number.isNaN(start) || Number.isNaN(end)) return null;
  if (end < start) return 'must not be before startTime';
  if (end - start > MAX_APPOINTMENT_DURATION_MS) return `must be at most ${MAX_APPOINTMENT_DURATION_DAYS} days after startTime`;
  return null;
}
