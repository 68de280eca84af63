// The delivery envelope `{triggerEvent, createdAt, payload}` and the entry point to the payload schemas.

import { z } from 'zod';

import { isoTimeSchema } from './schemas-common.js';

/** `createdAt` is Cal.com's send time (new Date().toISOString()), used only as a tie-breaker. */
export function envelopeSchema<T extends z.ZodType>(payload: T) {
  return z.object({
    triggerEvent: z.string(),
    createdAt: isoTimeSchema.nullish(),
    payload,
  });
}

export { closingBookingSchema, scheduledBookingSchema, type BookingPayload } from './schemas-booking.js';
export { meetingBookingSchema, type MeetingPayload } from './schemas-meeting.js';
export { noShowSchema, type NoShowPayload } from './schemas-other.js';
export type { AttendeePayload, PersonPayload, ResponsesPayload } from './schemas-common.js';
