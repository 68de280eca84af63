// Booking-envelope bodies: the CalendarEvent spread that every booking trigger sends (BookingPayloadBuilder,
// v2021-10-20). Field order and time formats follow Cal.com's own examples, because receivers are exactly what
// these samples are meant to break.

import { buildIcs, ICS_WEBHOOK_VERSION } from './samples-ics.js';
import {
  formatUtcOffset,
  formatUtcSeconds,
  makeBookingUid,
  utcOffsetMinutes,
  type SampleContext,
  type SampleTrigger,
} from './samples-context.js';

type Json = Record<string, unknown>;

/** The booking triggers whose body is the CalendarEvent spread under `payload`. */
export type BookingEnvelopeTrigger = Extract<
  SampleTrigger,
  | 'BOOKING_CREATED'
  | 'BOOKING_REQUESTED'
  | 'BOOKING_RESCHEDULED'
  | 'BOOKING_CANCELLED'
  | 'BOOKING_REJECTED'
  | 'BOOKING_PAYMENT_INITIATED'
  | 'BOOKING_PAID'
  | 'BOOKING_LOCATION_UPDATED'
  | 'BOOKING_REASSIGNED'
  | 'INSTANT_MEETING_ACCEPTED'
  | 'BOOKING_CONFIRMED'
>;

// CANCELLED and REJECTED are rebuilt from the stored booking row rather than from the booking form, which is
// why their attendees lack firstName/lastName and their response labels are the bare field names.
function fromStoredRow(trigger: SampleTrigger): boolean {
  return trigger === 'BOOKING_CANCELLED' || trigger === 'BOOKING_REJECTED';
}

function formatStart(trigger: SampleTrigger, d: Date): string {
  switch (trigger) {
    case 'BOOKING_CANCELLED':
      return formatUtcOffset(d);
    case 'BOOKING_REJECTED':
    case 'BOOKING_PAID':
    case 'BOOKING_PAYMENT_INITIATED':
      return d.toISOString();
    default:
      return formatUtcSeconds(d);
  }
}

function splitName(name: string): { firstName: string; lastName: string } {
  const trimmed = name.trim();
  const space = trimmed.indexOf(' ');
  if (space === -1) return { firstName: trimmed, lastName: '' };
  return { firstName: trimmed.slice(0, space), lastName: trimmed.slice(space + 1).trim() };
}

function locationResponse(location: string): Json {
  return location.startsWith('integrations:')
    ? { value: location, optionValue: '' }
    : { value: 'inPerson', optionValue: location };
}

/** Booking-form answers as Cal.com stores them (`booking.responses`): plain values, no labels. */
export function flatResponses(ctx: SampleContext): Json {
  const out: Json = { name: ctx.attendee.name, email: ctx.attendee.email };
  if (ctx.attendee.phoneNumber) out.attendeePhoneNumber = ctx.attendee.phoneNumber;
  out.location = locationResponse(ctx.location);
  if (ctx.notes) out.notes = ctx.notes;
  out.guests = ctx.guests;
  if (ctx.opts.rescheduleReason) out.rescheduleReason = ctx.opts.rescheduleReason;
  return { ...out, ...(ctx.opts.extraResponses ?? {}) };
}

/**
 * `getCalEventResponses`: `{label, value, isHidden}` per field; `value` is absent when the field was left
 * empty. From the stored row (CANCELLED/REJECTED) the label is the field name and isHidden is missing.
 */
function labelledResponses(ctx: SampleContext): Json {
  const bare = fromStoredRow(ctx.trigger);
  const field = (name: string, label: string, value: unknown, isHidden = false): Json => {
    const entry: Json = { label: bare ? name : label };
    if (value !== undefined && value !== '' && value !== null) entry.value = value;
    if (!bare) entry.isHidden = isHidden;
    return entry;
  };
  const out: Json = {
    name: field('name', 'your_name', ctx.attendee.name),
    email: field('email', 'email_address', ctx.attendee.email),
  };
  if (!bare || ctx.attendee.phoneNumber) {
    out.attendeePhoneNumber = field(
      'attendeePhoneNumber',
      'phone_number',
      ctx.attendee.phoneNumber ?? undefined,
      !ctx.attendee.phoneNumber,
    );
  }
  if (!bare) {
    out.location = field('location', 'location', locationResponse(ctx.location));
    out.title = field('title', 'what_is_this_meeting_about', undefined, true);
  }
  if (!bare || ctx.notes) out.notes = field('notes', 'additional_notes', ctx.notes);
  out.guests = field('guests', 'additional_guests', ctx.guests);
  if (!bare || ctx.opts.rescheduleReason) {
    out.rescheduleReason = field('rescheduleReason', 'reason_for_reschedule', ctx.opts.rescheduleReason);
  }
  for (const [name, value] of Object.entries(ctx.opts.extraResponses ?? {})) out[name] = field(name, name, value);
  return out;
}

export function responsesFor(ctx: SampleContext, fallback: 'labelled' | 'flat'): Json {
  return (ctx.opts.responsesStyle ?? fallback) === 'flat' ? flatResponses(ctx) : labelledResponses(ctx);
}

function organizerObject(ctx: SampleContext): Json {
  const o = ctx.organizer;
  return {
    id: o.id,
    name: o.name,
    email: o.email,
    username: o.username,
    timeZone: o.timeZone,
    language: { locale: o.locale },
    timeFormat: 'h:mma',
    utcOffset: utcOffsetMinutes(o.timeZone, ctx.start),
  };
}

function attendeeObjects(ctx: SampleContext): Json[] {
  const a = ctx.attendee;
  const people = [
    { name: a.name, email: a.email, phoneNumber: a.phoneNumber },
    // Additional guests become attendees with an empty name and the booker's time zone.
    ...ctx.guests.map((email) => ({ name: '', email, phoneNumber: null })),
  ];
  const utcOffset = utcOffsetMinutes(a.timeZone, ctx.start);
  if (fromStoredRow(ctx.trigger)) {
    return people.map((p) => ({
      name: p.name,
      email: p.email,
      timeZone: a.timeZone,
      phoneNumber: p.phoneNumber,
      language: { locale: a.locale },
      utcOffset,
    }));
  }
  return people.map((p) => ({
    email: p.email,
    name: p.name,
    ...splitName(p.name),
    timeZone: a.timeZone,
    phoneNumber: p.phoneNumber ?? undefined,
    language: { locale: a.locale },
    utcOffset,
  }));
}

function defaultStatus(trigger: BookingEnvelopeTrigger): string {
  switch (trigger) {
    case 'BOOKING_REQUESTED':
      return 'PENDING';
    case 'BOOKING_CANCELLED':
      return 'CANCELLED';
    case 'BOOKING_REJECTED':
      return 'REJECTED';
    default:
      return 'ACCEPTED';
  }
}

function isPaymentTrigger(trigger: SampleTrigger): boolean {
  return trigger === 'BOOKING_PAID' || trigger === 'BOOKING_PAYMENT_INITIATED';
}

function rescheduleFields(ctx: SampleContext): Json | null {
  const o = ctx.opts;
  const isReschedule =
    ctx.trigger === 'BOOKING_RESCHEDULED' || (ctx.trigger === 'BOOKING_REQUESTED' && o.rescheduleUid !== undefined);
  if (!isReschedule) return null;
  const originalStart = o.rescheduleStartTime
    ? new Date(o.rescheduleStartTime)
    : new Date(ctx.start.getTime() - 24 * 3_600_000);
  const originalEnd = o.rescheduleEndTime
    ? new Date(o.rescheduleEndTime)
    : new Date(originalStart.getTime() + ctx.lengthInMinutes * 60_000);
  return {
    rescheduleId: o.rescheduleId ?? ctx.bookingId - 1 - ctx.seq('rescheduleId', 50),
    rescheduleUid: o.rescheduleUid ?? makeBookingUid(`rescheduled-from:${ctx.uid}`),
    rescheduleStartTime: formatUtcSeconds(originalStart),
    rescheduleEndTime: formatUtcSeconds(originalEnd),
    rescheduledBy: o.rescheduledBy ?? ctx.attendee.email,
  };
}

function metadataFor(ctx: SampleContext, trigger: BookingEnvelopeTrigger): Json | undefined {
  const given = ctx.opts.metadata;
  if (fromStoredRow(trigger)) return given === undefined ? undefined : { ...given };
  if (trigger === 'BOOKING_PAID') {
    return {
      identifier: 'cal.com',
      bookingId: ctx.bookingId,
      eventTypeId: ctx.eventTypeId,
      bookerEmail: ctx.attendee.email,
      eventTitle: ctx.eventTitle,
      externalId: `pi_3${ctx.uuid('stripe').replace(/-/g, '').slice(0, 21)}`,
      ...given,
    };
  }
  // The video room only exists once the booking is accepted: pending and unpaid bookings carry no videoCallUrl.
  const hasRoom = trigger !== 'BOOKING_REQUESTED' && trigger !== 'BOOKING_PAYMENT_INITIATED';
  return {
    ...(hasRoom && ctx.videoCallUrl ? { videoCallUrl: ctx.videoCallUrl } : {}),
    ...given,
  };
}

function videoFields(ctx: SampleContext, trigger: BookingEnvelopeTrigger): Json {
  if (fromStoredRow(trigger) || trigger === 'BOOKING_REQUESTED' || isPaymentTrigger(trigger)) return {};
  if (ctx.location === 'integrations:daily' && ctx.videoCallUrl) {
    return {
      videoCallData: { type: 'daily_video', id: ctx.uid, password: '', url: ctx.videoCallUrl },
      appsStatus: [{ appName: 'Cal Video', type: 'daily_video', success: 1, failures: 0, errors: [], warnings: [] }],
    };
  }
  if (ctx.location === 'integrations:google:meet') {
    return { conferenceData: { createRequest: { requestId: ctx.uuid('meet') } } };
  }
  return {};
}

/** `{triggerEvent, createdAt, payload}` for the booking triggers. */
export function buildBookingEnvelope(ctx: SampleContext, trigger: BookingEnvelopeTrigger): Json {
  const o = ctx.opts;
  const stored = fromStoredRow(trigger);
  const payment = isPaymentTrigger(trigger);
  const requiresConfirmation =
    o.requiresConfirmation ?? (trigger === 'BOOKING_REQUESTED' || trigger === 'BOOKING_REJECTED');
  const iCalSequence = trigger === 'BOOKING_RESCHEDULED' || trigger === 'BOOKING_LOCATION_UPDATED' ? 1 : stored ? 1 : 0;

  const payload: Json = {
    bookerUrl: 'https://cal.com',
    type: ctx.eventTypeSlug,
    title: ctx.title,
    // sendPayload sets description = description || additionalNotes.
    description: ctx.notes,
    additionalNotes: ctx.notes,
    customInputs: {},
    startTime: formatStart(trigger, ctx.start),
    endTime: formatStart(trigger, ctx.end),
    organizer: organizerObject(ctx),
    responses: responsesFor(ctx, 'labelled'),
    userFieldsResponses: { ...(o.extraResponses ?? {}) },
    attendees: attendeeObjects(ctx),
    location: ctx.location,
    destinationCalendar: stored ? [] : null,
    hideCalendarNotes: false,
    hideCalendarEventDetails: false,
    hideOrganizerEmail: false,
    requiresConfirmation,
    eventTypeId: ctx.eventTypeId,
    seatsShowAttendees: o.seatsShowAttendees ?? !stored,
    seatsPerTimeSlot: o.seatsPerTimeSlot ?? null,
    seatsShowAvailabilityCount: true,
    schedulingType: null,
    customReplyToEmail: null,
    iCalUID: `${ctx.uid}@Cal.com`,
    iCalSequence,
    uid: ctx.uid,
    ...(o.attendeeSeatId !== undefined ? { attendeeSeatId: o.attendeeSeatId } : {}),
    ...(o.recurringEventId !== undefined ? { recurringEventId: o.recurringEventId } : {}),
    ...videoFields(ctx, trigger),
    eventTitle: ctx.eventTitle,
    eventDescription: stored ? null : '',
    price: o.price ?? (payment ? 5000 : 0),
    currency: o.currency ?? 'usd',
    length: ctx.lengthInMinutes,
    bookingId: ctx.bookingId,
    ...(payment ? { paymentId: o.paymentId ?? 300 + ctx.seq('paymentId', 9000) } : {}),
    ...rescheduleFields(ctx),
    metadata: metadataFor(ctx, trigger),
    status: o.status ?? defaultStatus(trigger),
    smsReminderNumber: o.smsReminderNumber,
  };

  if (trigger === 'BOOKING_CANCELLED') {
    payload.cancellationReason = o.cancellationReason ?? 'Something came up, sorry!';
    payload.cancelledBy = o.cancelledBy ?? ctx.attendee.email;
    payload.requestReschedule = o.requestReschedule ?? false;
  }
  if (trigger === 'BOOKING_REJECTED') payload.rejectionReason = o.rejectionReason ?? 'Not available at that time';
  if (trigger === 'BOOKING_REASSIGNED') payload.reassignReason = 'Host unavailable';
  if (o.uidOrder === 'reversed' && payload.rescheduleUid !== undefined) reverseUids(payload);
  if (carriesIcs(trigger, o.webhookVersion, payload.status)) {
    const ics = { cancelled: trigger === 'BOOKING_CANCELLED', sequence: iCalSequence };
    payload.attendeeIcsContent = buildIcs(ctx, { ...ics, for: 'attendee' });
    payload.organizerIcsContent = buildIcs(ctx, { ...ics, for: 'organizer' });
  }

  return { triggerEvent: trigger, createdAt: ctx.createdAt, payload };
}

/** Version 2026-07-27's ICS fields: CREATED, RESCHEDULED, REASSIGNED, CANCELLED, and PAID when it accepted the booking. */
function carriesIcs(trigger: BookingEnvelopeTrigger, version: string | undefined, status: unknown): boolean {
  if (version !== ICS_WEBHOOK_VERSION) return false;
  switch (trigger) {
    case 'BOOKING_CREATED':
    case 'BOOKING_RESCHEDULED':
    case 'BOOKING_REASSIGNED':
    case 'BOOKING_CANCELLED':
      return true;
    case 'BOOKING_PAID':
      return status === 'ACCEPTED';
    default:
      return false;
  }
}

/** What some third-party docs describe: uid = the ORIGINAL booking, rescheduleUid = the NEW one. */
function reverseUids(payload: Json): void {
  const [uid, bookingId] = [payload.uid, payload.bookingId];
  payload.uid = payload.rescheduleUid;
  payload.bookingId = payload.rescheduleId;
  payload.rescheduleUid = uid;
  payload.rescheduleId = bookingId;
}
