// The booking payload: Cal.com's CalendarEvent spread plus booking fields (docs §3), shared by CREATED,
// REQUESTED, RESCHEDULED, CANCELLED, REJECTED, PAYMENT_INITIATED, PAID and the legacy CONFIRMED.
// Only the fields calsync reads are declared; anything else is accepted and left out of the parsed value.

import { z } from 'zod';

import {
  attendeeSchema,
  intIdSchema,
  isoTimeSchema,
  personSchema,
  responsesSchema,
  textSchema,
  uidSchema,
} from './schemas-common.js';

/** Cal.com's series ids are uuids; the store's column holds up to this many characters (migration 005). */
const RECURRING_EVENT_ID_MAX_CHARS = 100;

export const bookingShape = {
  uid: uidSchema,
  bookingId: intIdSchema.nullish(),
  eventTypeId: intIdSchema.nullish(),
  /** Event type slug. */
  type: textSchema,
  title: textSchema,
  startTime: isoTimeSchema.nullish(),
  endTime: isoTimeSchema.nullish(),
  organizer: personSchema.nullish(),
  attendees: z.array(attendeeSchema).nullish(),
  responses: responsesSchema,
  location: textSchema,
  additionalNotes: textSchema,
  description: textSchema,
  /** Any JSON; the mapper keeps it only when it is an object. */
  metadata: z.unknown().optional(),
  /** ACCEPTED, PENDING, CANCELLED, REJECTED, …: free text so a new status upstream is not a rejection. */
  status: textSchema,
  smsReminderNumber: textSchema,
  // Reschedule: uid/bookingId are the NEW booking, rescheduleUid the original; fromReschedule is the same
  // link as stored on the booking row.
  rescheduleUid: textSchema,
  fromReschedule: textSchema,
  rescheduledBy: textSchema,
  rescheduleReason: textSchema,
  cancellationReason: textSchema,
  cancelledBy: textSchema,
  requestReschedule: z.boolean({ error: 'must be a boolean' }).nullish(),
  rejectionReason: textSchema,
  paymentId: z.union([z.string(), z.number()], { error: 'must be a string or a number' }).nullish(),
  /** Occurrences of one recurring booking share it; each occurrence has its own uid. */
  recurringEventId: z.string().max(RECURRING_EVENT_ID_MAX_CHARS, { error: `must be at most ${RECURRING_EVENT_ID_MAX_CHARS} characters` }).nullish(),
  // Seated event types: every seat is an attendee of the same booking uid; a seat's message carries the seat's
  // reference and (unless seatsShowAttendees) only that seat's attendee.
  seatsPerTimeSlot: z.number({ error: 'must be a number' }).int().nonnegative().nullish(),
  seatsShowAttendees: z.boolean({ error: 'must be a boolean' }).nullish(),
  attendeeSeatId: textSchema,
  // Webhook version 2026-07-27: ready-made .ics invitations (CREATED, RESCHEDULED, REASSIGNED, CANCELLED, PAID).
  // Accepted and type-checked here, then left in the raw body only: the mapper never copies them.
  attendeeIcsContent: textSchema,
  organizerIcsContent: textSchema,
};

/** Shared invariant: no event ever carries an end before its start. */
export function endNotBeforeStart(
  value: { startTime?: string | null | undefined; endTime?: string | null | undefined },
  ctx: z.RefinementCtx,
): void {
  if (value.startTime && value.endTime && value.endTime < value.startTime) {
    // Both are normalised ISO UTC strings, so string order is time order.
    ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'must not be before startTime' });
  }
}

/** CANCELLED / REJECTED: the booking is being closed; times are optional (older senders omit them). */
export const closingBookingSchema = z.object(bookingShape).superRefine(endNotBeforeStart);

/** CREATED / REQUESTED / RESCHEDULED / CONFIRMED / PAYMENT_INITIATED / PAID: they place a booking in time. */
export const scheduledBookingSchema = z
  .object({ ...bookingShape, startTime: isoTimeSchema, endTime: isoTimeSchema })
  .superRefine(endNotBeforeStart);

export type BookingPayload = z.output<typeof closingBookingSchema>;
