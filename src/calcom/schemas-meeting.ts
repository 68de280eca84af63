// MEETING_STARTED / MEETING_ENDED carry the Prisma booking row, not the CalendarEvent: `id` instead of
// `bookingId`, `user` instead of `organizer`, flat or labelled `responses`. Two envelopes exist (docs §3):
// the cron's FLAT body `{triggerEvent, ...booking}` (its `createdAt` is the booking's) and the newer
// builder's nested `{triggerEvent, createdAt, payload: booking}`. This schema describes the booking row in
// either place; parse.ts decides where to look.

import { z } from 'zod';

import { bookingShape, endNotBeforeStart } from './schemas-booking.js';
import { intIdSchema, personSchema } from './schemas-common.js';

export const meetingBookingSchema = z
  .object({
    ...bookingShape,
    /** The booking's database id (what other triggers call bookingId). */
    id: intIdSchema.nullish(),
    /** The organizer, as the booking row's user relation. */
    user: personSchema.nullish(),
    /** Sometimes an included relation; only a string `slug` on it is read. */
    eventType: z.unknown().optional(),
  })
  .superRefine(endNotBeforeStart);

export type MeetingPayload = z.output<typeof meetingBookingSchema>;
