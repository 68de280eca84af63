// A booking about which a message says nothing but its uid (a no-show update, a bare cancellation).
import type { BookingFacts } from './types.js';

export function bareBookingFacts(uid: string, bookingId: number | null = null): BookingFacts {
  return {
    uid,
    bookingId,
    eventTypeId: null,
    eventType: null,
    title: null,
    startTime: null,
    endTime: null,
    organizer: null,
    attendees: [],
    phone: null,
    notes: null,
    location: null,
    metadata: {},
  };
}
