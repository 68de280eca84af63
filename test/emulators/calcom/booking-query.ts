// GET /v2/bookings filtering, sorting and paging over the stored bookings. `upcoming`/`past` split on the
// booking's end, and both include unconfirmed bookings, as Cal.com's bookings list does.

import type { StoredBooking } from './state.js';
import type { ListBookingsQuery } from './validation.js';

export function queryBookings(
  bookings: readonly StoredBooking[],
  q: ListBookingsQuery,
  now: number,
): { items: StoredBooking[]; total: number } {
  const matchesStatus = (b: StoredBooking): boolean => {
    if (q.status.length === 0) return true;
    const end = Date.parse(b.end);
    const live = b.status === 'accepted' || b.status === 'pending';
    return q.status.some((s) => {
      switch (s) {
        case 'upcoming':
          return live && end >= now;
        case 'past':
          return live && end < now;
        case 'cancelled':
          return b.status === 'cancelled' || b.status === 'rejected';
        case 'unconfirmed':
          return b.status === 'pending' && end >= now;
        default:
          // `recurring`: the emulator has no recurring bookings.
          return false;
      }
    });
  };
  const email = q.attendeeEmail?.toLowerCase();
  const name = q.attendeeName?.toLowerCase();
  const filtered = bookings.filter(
    (b) =>
      matchesStatus(b) &&
      (email === undefined ||
        b.attendee.email.toLowerCase() === email ||
        b.guests.some((g) => g.toLowerCase() === email)) &&
      (name === undefined || b.attendee.name.toLowerCase().includes(name)) &&
      (q.bookingUid === undefined || b.uid === q.bookingUid) &&
      (q.eventTypeIds.length === 0 || q.eventTypeIds.includes(b.eventTypeId)) &&
      (q.afterStart === undefined || Date.parse(b.start) >= q.afterStart) &&
      (q.beforeEnd === undefined || Date.parse(b.end) <= q.beforeEnd) &&
      (q.afterCreatedAt === undefined || Date.parse(b.createdAt) >= q.afterCreatedAt) &&
      (q.beforeCreatedAt === undefined || Date.parse(b.createdAt) <= q.beforeCreatedAt) &&
      (q.afterUpdatedAt === undefined || Date.parse(b.updatedAt) >= q.afterUpdatedAt) &&
      (q.beforeUpdatedAt === undefined || Date.parse(b.updatedAt) <= q.beforeUpdatedAt),
  );
  const sort = q.sort.length > 0 ? q.sort : [{ field: 'start' as const, dir: 'asc' as const }];
  filtered.sort((a, b) => {
    for (const { field, dir } of sort) {
      const d = Date.parse(a[field]) - Date.parse(b[field]);
      if (d !== 0) return dir === 'asc' ? d : -d;
    }
    return a.id - b.id;
  });
  return { items: filtered.slice(q.skip, q.skip + q.take), total: filtered.length };
}
