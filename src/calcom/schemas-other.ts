// Payloads that are not a booking: the no-show update. (Skipped triggers have no schema on purpose: they
// change nothing, so a shape change upstream must not turn them into errors.)

import { z } from 'zod';

import { emailSchema, intIdSchema, textSchema, uidSchema } from './schemas-common.js';

/** BOOKING_NO_SHOW_UPDATED: `{message, attendees:[{email, noShow}], bookingUid, bookingId}`. */
export const noShowSchema = z.object({
  bookingUid: uidSchema,
  bookingId: intIdSchema.nullish(),
  message: textSchema,
  // Absent is read as "nobody changed" rather than refused; present, each entry must be usable.
  attendees: z
    .array(z.object({ email: emailSchema, noShow: z.boolean({ error: 'must be a boolean' }) }))
    .nullish()
    .transform((list) => list ?? []),
});

export type NoShowPayload = z.output<typeof noShowSchema>;
