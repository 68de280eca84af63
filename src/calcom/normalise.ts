// The one mapper from validated Cal.com payloads to DomainEvent. Formats (ISO times, lower-cased emails,
// numeric ids) were already normalised by the schemas; this decides which wire field feeds which fact.

import type { BookingFacts, DomainEvent, Person } from '../appointments/types.js';
import { bareBookingFacts } from '../appointments/booking-facts.js';
import { responseLocation, responseText } from './responses.js';
import type { BookingPayload, MeetingPayload, NoShowPayload, PersonPayload } from './schemas.js';
import type { WebhookEventKind } from './triggers.js';
import { actorOf, isRecord, nonBlank } from './values.js';

/** Kinds whose payload is the CalendarEvent-shaped booking. */
export type BookingEventKind = Exclude<WebhookEventKind, 'no_show_updated' | 'meeting_started' | 'meeting_ended'>;
export type MeetingEventKind = Extract<WebhookEventKind, 'meeting_started' | 'meeting_ended'>;

export function normaliseBookingEvent(
  kind: BookingEventKind,
  payload: BookingPayload,
  sentAt: string | null,
): DomainEvent {
  const booking = bookingFacts(payload);
  // BOOKING_PAID's metadata is Cal.com's payment bookkeeping ({identifier:"cal.com", bookingId, …}), not
  // the booking's metadata; passing it on would overwrite what the booking really carries.
  if (kind === 'paid') booking.metadata = {};
  // Members listed rather than spread (every intake runs this); the order is the stored event's key order.
  const change = changeFacts(kind, payload);
  return {
    previousUid: change.previousUid,
    reason: change.reason,
    actor: change.actor,
    noShow: change.noShow,
    snapshotStatus: change.snapshotStatus,
    kind,
    booking,
    requestReschedule: kind === 'cancelled' && payload.requestReschedule === true,
    payment: paymentOf(kind, payload),
    sentAt,
  };
}

/**
 * MEETING_STARTED/ENDED carry the booking row. `sentAt` is null for the flat form: its `createdAt` is the
 * booking's creation time, not the send time, and the flat form has no other timestamp.
 */
export function normaliseMeetingEvent(
  kind: MeetingEventKind,
  payload: MeetingPayload,
  sentAt: string | null,
): DomainEvent {
  const asBooking: BookingPayload = {
    ...payload,
    // The booking row stores the booker's notes in `description`; a booking webhook's `description` is
    // the event type's description instead, so only here does it count as notes.
    additionalNotes: nonBlank(payload.additionalNotes) ?? nonBlank(payload.description),
    bookingId: payload.bookingId ?? payload.id ?? null,
    organizer: payload.organizer ?? payload.user ?? null,
    type: payload.type ?? (isRecord(payload.eventType) ? nonBlank(payload.eventType.slug) : null),
  };
  return {
    ...changeFacts(kind, asBooking),
    kind,
    booking: bookingFacts(asBooking),
    requestReschedule: false,
    payment: null,
    sentAt,
  };
}

/** A no-show update names the booking and the attendees whose flag changed; nothing else is known. */
export function normaliseNoShowEvent(payload: NoShowPayload, sentAt: string | null): DomainEvent {
  return {
    kind: 'no_show_updated',
    booking: bareBookingFacts(payload.bookingUid, payload.bookingId ?? null),
    previousUid: null,
    reason: null,
    actor: null,
    requestReschedule: false,
    noShow: payload.attendees.map((a) => ({ email: a.email, noShow: a.noShow })),
    payment: null,
    snapshotStatus: null,
    sentAt,
  };
}

/** The facts about the change itself, shared by every booking-shaped payload. */
function changeFacts(
  kind: BookingEventKind | MeetingEventKind,
  p: BookingPayload,
): Pick<DomainEvent, 'previousUid' | 'reason' | 'actor' | 'noShow' | 'snapshotStatus'> {
  // Real Cal.com: uid is the NEW booking and rescheduleUid the original (older third-party docs show it
  // reversed; the domain matches either uid, so this maps the wire faithfully).
  const previousUid = nonBlank(p.rescheduleUid) ?? nonBlank(p.fromReschedule);
  return {
    previousUid,
    reason: reasonOf(kind, p, previousUid !== null),
    actor: actorOf(p.rescheduledBy) ?? actorOf(p.cancelledBy),
    noShow: null,
    snapshotStatus: null,
  };
}

/**
 * The reason that belongs to this kind of change comes first, so a cancellation of a booking that was once
 * rescheduled reports why it was cancelled. A reschedule's reason is a booking-form answer
 * (`responses.rescheduleReason`, a system field), read only when the payload links to a previous booking:
 * on any other booking it is a stale answer from an earlier reschedule. A top-level field is honoured too.
 */
function reasonOf(kind: BookingEventKind | MeetingEventKind, p: BookingPayload, isReschedule: boolean): string | null {
  const cancellation = nonBlank(p.cancellationReason);
  const rejection = nonBlank(p.rejectionReason);
  const reschedule = nonBlank(p.rescheduleReason);
  if (kind === 'cancelled') return cancellation ?? reschedule ?? rejection;
  if (kind === 'rejected') return rejection ?? cancellation ?? reschedule;
  const formAnswer = isReschedule ? responseText(p.responses, 'rescheduleReason') : null;
  return reschedule ?? formAnswer ?? cancellation ?? rejection;
}

function bookingFacts(p: BookingPayload): BookingFacts {
  const attendees = p.attendees ?? [];
  const recurringEventId = nonBlank(p.recurringEventId);
  const seated = (typeof p.seatsPerTimeSlot === 'number' && p.seatsPerTimeSlot > 0) || nonBlank(p.attendeeSeatId) !== null;
  const facts: BookingFacts = {
    uid: p.uid,
    bookingId: p.bookingId ?? null,
    eventTypeId: p.eventTypeId ?? null,
    eventType: nonBlank(p.type),
    title: nonBlank(p.title),
    startTime: p.startTime ?? null,
    endTime: p.endTime ?? null,
    organizer: p.organizer ? person(p.organizer) : null,
    attendees: attendees.map(person),
    phone:
      nonBlank(attendees[0]?.phoneNumber) ??
      responseText(p.responses, 'attendeePhoneNumber') ??
      responseText(p.responses, 'phone') ??
      responseText(p.responses, 'smsReminderNumber') ??
      nonBlank(p.smsReminderNumber),
    // Booking webhooks carry the event type's description in `description` (sendPayload only falls back
    // to additionalNotes when it is empty), so the booker's notes are additionalNotes or the form answer.
    notes: nonBlank(p.additionalNotes) ?? responseText(p.responses, 'notes'),
    location: nonBlank(p.location) ?? responseLocation(p.responses),
    metadata: isRecord(p.metadata) ? p.metadata : {},
  };
  // Said only when true, so the stored events of ordinary bookings stay as they were.
  if (recurringEventId !== null) facts.recurringEventId = recurringEventId;
  if (seated) facts.seated = seated;
  return facts;
}

function person(p: PersonPayload): Person {
  return { name: nonBlank(p.name), email: p.email, timeZone: nonBlank(p.timeZone) };
}

function paymentOf(kind: BookingEventKind, p: BookingPayload): DomainEvent['payment'] {
  if (kind !== 'payment_initiated' && kind !== 'paid') return null;
  // Cal.com's payment id is a number; the domain keeps ids from payment providers as text.
  const paymentId = p.paymentId === null || p.paymentId === undefined ? null : nonBlank(String(p.paymentId));
  return { paymentId, paid: kind === 'paid' };
}
