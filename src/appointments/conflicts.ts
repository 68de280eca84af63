// Overlap rules for one organizer's appointments. A conflict is flagged, never refused: the booking exists
// at Cal.com whatever we think of it.
import type { AppointmentStatus } from './types.js';

export const ACTIVE_STATUSES: readonly AppointmentStatus[] = ['requested', 'accepted'];

export function isActive(status: AppointmentStatus | string): boolean {
  return (ACTIVE_STATUSES as readonly string[]).includes(status);
}

export interface TimeSpan {
  startTime: string | null;
  endTime: string | null;
}

/** Half-open intervals: one meeting ending at 10:00 and another starting at 10:00 do not overlap. */
export function overlaps(a: TimeSpan, b: TimeSpan): boolean {
  if (!a.startTime || !a.endTime || !b.startTime || !b.endTime) return false;
  return Date.parse(a.startTime) < Date.parse(b.endTime) && Date.parse(b.startTime) < Date.parse(a.endTime);
}
