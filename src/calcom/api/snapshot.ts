// A booking as Cal.com's API reports it now, turned into a `snapshot` DomainEvent: the same vocabulary as
// webhooks, so reconciliation and bookings calsync creates go through the same domain rules. The fold ranks
// a snapshot by the status it reports (lifecycle.ts), and its `sentAt` is the booking's `updatedAt`, so a
// webhook sent after that moment still wins on the facts it carries.
import { createHash } from 'node:crypto';
import type { BookingFacts, DomainEvent, Person } from '../../appointments/types.js';
import { canonicalJson } from '../dedup.js';
import { actorOf, isRecord, nonBlank } from '../values.js';
import { apiBookingSchema, type ApiBooking } from './schemas.js';

/** The event log's `trigger` for an API read: not a Cal.com trigger, so it can never collide with one. */
export const SNAPSHOT_TRIGGER = 'BOOKING_SNAPSHOT';
/** Bumped if the key's ingredients change. */
const SNAPSHOT_KEY_VERSION = 'calcom-snapshot-v1';

export function bookingSnapshot(b: ApiBooking): DomainEvent {
  const status = b.status;
  const previousUid = nonBlank(b.rescheduledFromUid);
  return {
    kind: 'snapshot',
    booking: bookingFacts(b),
    previousUid: previousUid !== b.uid ? previousUid : null,
    reason: reasonOf(b, previousUid !== null),
    actor: status === 'cancelled' ? actorOf(b.cancelledByEmail) : previousUid !== null ? actorOf(b.rescheduledByEmail) : null,
    requestReschedule: false,
    noShow: null,
    payment: null,
    snapshotStatus: status,
    sentAt: b.updatedAt ?? null,
  };
}

/**
 * Derived from everything the snapshot says (including Cal.com's `updatedAt`), so reading an unchanged
 * booking again gives the same key and is never recorded twice, while any change gives a new one.
 */
export function snapshotDedupKey(event: DomainEvent): string {
  return createHash('sha256').update(canonicalJson([SNAPSHOT_KEY_VERSION, event]), 'utf8').digest('hex');
}

/** The uid a cancelled booking was replaced by when it was rescheduled (its successor carries the change). */
export function rescheduledTo(b: ApiBooking): string | null {
  return b.status === 'cancelled' ? nonBlank(b.rescheduledToUid) : null;
}

function bookingFacts(b: ApiBooking): BookingFacts {
  const attendees = b.attendees ?? [];
  const recurringEventId = nonBlank(b.recurringBookingUid) ?? nonBlank(b.recurringEventId);
  const host = b.hosts?.[0];
  const answers = isRecord(b.bookingFieldsResponses) ? b.bookingFieldsResponses : {};
  return {
    uid: b.uid,
    bookingId: b.id,
    eventTypeId: b.eventTypeId ?? b.eventType?.id ?? null,
    eventType: nonBlank(b.eventType?.slug),
    title: nonBlank(b.title),
    startTime: b.start,
    endTime: b.end,
    organizer: host ? person(host) : null,
    attendees: attendees.map(person),
    phone: nonBlank(attendees[0]?.phoneNumber) ?? nonBlank(answers.attendeePhoneNumber),
    // The booking's `description` is the booker's "additional notes" in API v2.
    notes: nonBlank(b.description) ?? nonBlank(answers.notes),
    location: locationOf(b),
    metadata: isRecord(b.metadata) ? b.metadata : {},
    // Said only when known, so snapshots of ordinary bookings keep their dedup keys.
    ...(recurringEventId !== null ? { recurringEventId } : {}),
  };
}

/**
 * For a video meeting the API reports the meeting link as `location`, where webhooks say which app it is
 * (`integrations:daily`). The link is left out (unknown) so it never overwrites the webhook's value back
 * and forth; any other location (an address, a phone number, a custom link) is a fact like the others.
 */
function locationOf(b: ApiBooking): string | null {
  const location = nonBlank(b.location);
  return location !== null && location === nonBlank(b.meetingUrl) ? null : location;
}

function person(p: { name?: string | null | undefined; email: string; timeZone?: string | null | undefined }): Person {
  return { name: nonBlank(p.name), email: p.email, timeZone: nonBlank(p.timeZone) };
}

function reasonOf(b: ApiBooking, isReschedule: boolean): string | null {
  switch (b.status) {
    case 'cancelled':
      return nonBlank(b.cancellationReason);
    case 'rejected':
      return nonBlank(b.rejectionReason) ?? nonBlank(b.cancellationReason);
    default:
      return isReschedule ? nonBlank(b.reschedulingReason) : null;
  }
}

/**
 * The snapshot a stored `BOOKING_SNAPSHOT` event was made from (its raw body is the booking as the API
 * returned it), for replaying it; null when the body is not such a booking.
 */
export function snapshotFromStoredBody(rawBody: string): DomainEvent | null {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return null;
  }
  const parsed = apiBookingSchema.safeParse(body);
  return parsed.success ? bookingSnapshot(parsed.data) : null;
}
