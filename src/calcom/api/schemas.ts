// Cal.com API v2 response bodies (bookings 2024-08-13, webhooks), as far as calsync reads them. Strict about
// the fields it uses, loose about the rest, so fields Cal.com adds later pass through. Times become ISO UTC
// with milliseconds and emails lower-case here, once, with the same field schemas as the webhook payloads.
import { z } from 'zod';
import { emailSchema, isoTimeSchema } from '../schemas-common.js';

export const BOOKINGS_API_VERSION = '2024-08-13';

const optionalText = z.string().nullish();
/** Series ids are uuids; the store holds up to 100 characters (migration 005). */
const seriesIdSchema = z.string().max(100).nullish();

const apiPersonSchema = z.looseObject({
  name: optionalText,
  email: emailSchema,
  timeZone: optionalText,
  phoneNumber: optionalText,
  absent: z.boolean().nullish(),
});

/** Cal.com writes statuses lower-case in 2024-08-13; upper-case (the webhook spelling) is accepted too. */
const bookingStatusSchema = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.enum(['accepted', 'pending', 'cancelled', 'rejected']));

export const apiBookingSchema = z.looseObject({
  id: z.number().int().nonnegative(),
  uid: z.string().trim().min(1),
  title: optionalText,
  description: optionalText,
  status: bookingStatusSchema,
  start: isoTimeSchema,
  end: isoTimeSchema,
  eventTypeId: z.number().int().nullish(),
  eventType: z.looseObject({ id: z.number().int().nullish(), slug: optionalText }).nullish(),
  hosts: z.array(z.looseObject({ name: optionalText, email: emailSchema, timeZone: optionalText })).nullish(),
  attendees: z.array(apiPersonSchema).nullish(),
  location: optionalText,
  meetingUrl: optionalText,
  metadata: z.record(z.string(), z.unknown()).nullish(),
  bookingFieldsResponses: z.record(z.string(), z.unknown()).nullish(),
  cancellationReason: optionalText,
  cancelledByEmail: optionalText,
  rejectionReason: optionalText,
  reschedulingReason: optionalText,
  rescheduledByEmail: optionalText,
  rescheduledFromUid: optionalText,
  rescheduledToUid: optionalText,
  createdAt: isoTimeSchema.nullish(),
  updatedAt: isoTimeSchema.nullish(),
  /** A recurring booking's occurrences share it (the booking row's recurringEventId, named so by API v2). */
  recurringBookingUid: seriesIdSchema,
  recurringEventId: seriesIdSchema,
});

export type ApiBooking = z.infer<typeof apiBookingSchema>;

export const paginationSchema = z.looseObject({
  totalItems: z.number().nullish(),
  remainingItems: z.number().nullish(),
  returnedItems: z.number().nullish(),
  hasNextPage: z.boolean().nullish(),
});

export const bookingListSchema = z.looseObject({
  status: z.literal('success'),
  data: z.array(z.unknown()),
  pagination: paginationSchema.nullish(),
});

export const bookingEnvelopeSchema = z.looseObject({
  status: z.literal('success'),
  // A recurring event type answers with an array of occurrences; calsync books single slots only.
  data: z.union([apiBookingSchema, z.array(apiBookingSchema).min(1)]),
});

export const apiWebhookSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  subscriberUrl: z.string(),
  triggers: z.array(z.string()),
  active: z.boolean(),
  secret: z.string().nullish(),
  version: optionalText,
});

export type ApiWebhook = z.infer<typeof apiWebhookSchema>;

export const webhookEnvelopeSchema = z.looseObject({ status: z.literal('success'), data: apiWebhookSchema });
export const webhookListSchema = z.looseObject({ status: z.literal('success'), data: z.array(apiWebhookSchema) });

/** Zod's issues in one short line, for the "unexpected body" error. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(body)'} ${i.message}`)
    .join('; ');
}
