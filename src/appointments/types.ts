// The domain's vocabulary. Nothing here knows Cal.com's wire format (src/calcom/ maps into these types)
// or any storage (src/store/ persists them).

export type AppointmentStatus = 'requested' | 'accepted' | 'cancelled' | 'rejected' | 'completed';

export interface Person {
  name: string | null;
  /** Trimmed and lower-cased by the wire layer. */
  email: string;
  timeZone: string | null;
}

export interface Attendee extends Person {
  noShow: boolean;
}

/** What one message says about a booking. Any field may be unknown (null) in a partial message. */
export interface BookingFacts {
  uid: string;
  bookingId: number | null;
  eventTypeId: number | null;
  /** Event type slug (`type` in Cal.com's payload). */
  eventType: string | null;
  title: string | null;
  /** ISO 8601 UTC with milliseconds, e.g. 2026-12-01T09:00:00.000Z. */
  startTime: string | null;
  endTime: string | null;
  organizer: Person | null;
  attendees: Person[];
  phone: string | null;
  notes: string | null;
  location: string | null;
  metadata: Record<string, unknown>;
  /**
   * The recurring series this occurrence belongs to (Cal.com's `recurringEventId`); each occurrence is its own
   * booking and appointment, grouped by this id. Optional: messages that do not say leave it unknown.
   */
  recurringEventId?: string | null;
  /**
   * The booking is a seated slot (Cal.com gives each seat an attendee and a seat reference under ONE booking
   * uid). Its messages then speak of the seats they change, not the whole attendee list: attendees add up,
   * and a cancellation removes the seats it names while others remain.
   */
  seated?: boolean;
}

/**
 * What a message means for a booking's life. `created` is Cal.com's BOOKING_CREATED, which also means
 * "confirmed" when the booking was pending; `confirmed` is the legacy BOOKING_CONFIRMED.
 * `snapshot` is a booking's current state read from Cal.com's API (reconciliation).
 */
export type EventKind =
  | 'requested'
  | 'created'
  | 'confirmed'
  | 'rescheduled'
  | 'cancelled'
  | 'rejected'
  | 'no_show_updated'
  | 'payment_initiated'
  | 'paid'
  | 'meeting_started'
  | 'meeting_ended'
  | 'snapshot';

/** Cal.com's own booking status, as a snapshot reports it. */
export type CalcomBookingStatus = 'accepted' | 'pending' | 'cancelled' | 'rejected';

export interface DomainEvent {
  kind: EventKind;
  booking: BookingFacts;
  /** The uid this booking was rescheduled from (Cal.com's `rescheduleUid` / `fromReschedule`). */
  previousUid: string | null;
  /** Reschedule, cancellation or rejection reason. */
  reason: string | null;
  /** Who rescheduled or cancelled (an email), when known. */
  actor: string | null;
  /** BOOKING_CANCELLED sent by a host's "request reschedule". */
  requestReschedule: boolean;
  /** BOOKING_NO_SHOW_UPDATED: the attendees whose flag was set or cleared. */
  noShow: { email: string; noShow: boolean }[] | null;
  /** PAYMENT_INITIATED / PAID. */
  payment: { paymentId: string | null; paid: boolean } | null;
  /** Only for `snapshot`: the booking's status at Cal.com. */
  snapshotStatus: CalcomBookingStatus | null;
  /** When the sender says it sent this (Cal.com's envelope `createdAt`), ISO UTC; tie-breaker only. */
  sentAt: string | null;
}

export type AppointmentSource = 'calcom_direct' | 'calsync' | 'reconcile';
