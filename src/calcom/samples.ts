// Realistic Cal.com webhook bodies, for `calsync send` (like `stripe trigger`), the Cal.com emulator and tests.
// Every shape mirrors what Cal.com itself sends (docs/calcom-webhooks.md and Cal.com's per-trigger examples),
// quirks included: labelled responses, flat MEETING_* bodies, three different startTime formats, a PING with
// fake people. Nothing here imports the rest of calsync, so the samples cannot drift towards what calsync's own
// parser happens to accept.

import { createHmac } from 'node:crypto';
import { buildBookingEnvelope } from './samples-booking.js';
import { asJsonObject, resolveContext, type SampleOptions, type SampleTrigger } from './samples-context.js';
import { buildMeetingBody } from './samples-meeting.js';
import { buildMiscBody } from './samples-misc.js';

export {
  CALCOM_SUBSCRIBABLE_TRIGGERS,
  SAMPLE_TRIGGERS,
  makeBookingUid,
  makeUuid,
  utcOffsetMinutes,
  type SampleAttendee,
  type SampleOptions,
  type SampleOrganizer,
  type SampleTrigger,
} from './samples-context.js';

/** Triggers that exist only in older or third-party docs; Cal.com itself never sends them. */
export const LEGACY_SAMPLE_TRIGGERS = ['BOOKING_CONFIRMED'] as const satisfies readonly SampleTrigger[];

/** The header Cal.com puts the signature in, and the value it sends when the webhook has no secret. */
export const CALCOM_SIGNATURE_HEADER = 'x-cal-signature-256';
export const CALCOM_NO_SECRET_SIGNATURE = 'no-secret-provided';
export const CALCOM_WEBHOOK_VERSION = '2021-10-20';

/**
 * Exactly the JSON object Cal.com would POST for `trigger`: `{triggerEvent, createdAt, payload}`, except
 * MEETING_STARTED/ENDED, which are the flat booking row by default (`options.meetingForm: 'nested'` for the
 * newer wrapped form). Deterministic when `uid`, `createdAt` and (for times) `startTime` are given.
 *
 * Time formats differ by trigger as in Cal.com: `2031-01-06T09:00:00Z` for CREATED/REQUESTED/RESCHEDULED,
 * `+00:00` for CANCELLED, milliseconds for REJECTED/PAID/PAYMENT_INITIATED and MEETING_*.
 */
export function buildCalcomBody(trigger: SampleTrigger, options: SampleOptions = {}): Record<string, unknown> {
  const ctx = resolveContext(trigger, options);
  switch (trigger) {
    case 'BOOKING_CREATED':
    case 'BOOKING_REQUESTED':
    case 'BOOKING_RESCHEDULED':
    case 'BOOKING_CANCELLED':
    case 'BOOKING_REJECTED':
    case 'BOOKING_PAYMENT_INITIATED':
    case 'BOOKING_PAID':
    case 'BOOKING_LOCATION_UPDATED':
    case 'BOOKING_REASSIGNED':
    case 'INSTANT_MEETING_ACCEPTED':
    case 'BOOKING_CONFIRMED':
      return asJsonObject(buildBookingEnvelope(ctx, trigger));
    case 'MEETING_STARTED':
    case 'MEETING_ENDED':
      return asJsonObject(buildMeetingBody(ctx, trigger));
    default:
      return asJsonObject(buildMiscBody(ctx, trigger));
  }
}

/**
 * BOOKING_RESCHEDULED as some third-party docs describe it: `uid` is the ORIGINAL booking and `rescheduleUid`
 * the NEW one (Cal.com does the opposite). `options.uid` is still the new booking, `options.rescheduleUid` the
 * original; only their placement in the body is swapped.
 */
export function legacyRescheduleBody(options: SampleOptions = {}): Record<string, unknown> {
  return buildCalcomBody('BOOKING_RESCHEDULED', { ...options, uidOrder: 'reversed' });
}

/** Compact JSON, as Cal.com's sendPayload produces it; sign and send this exact string. */
export function serializeCalcomBody(body: unknown): string {
  return JSON.stringify(body);
}

/** `X-Cal-Signature-256`: lowercase hex HMAC-SHA256 of the exact body bytes, no `sha256=` prefix. */
export function signCalcomBody(raw: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(raw).digest('hex');
}

/**
 * Headers Cal.com sends with a body; `secret` undefined gives the literal `no-secret-provided`. `version` is
 * the webhook's payload version (X-Cal-Webhook-Version), sent on every delivery.
 */
export function calcomWebhookHeaders(
  raw: string | Buffer,
  secret: string | undefined,
  version: string = CALCOM_WEBHOOK_VERSION,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    [CALCOM_SIGNATURE_HEADER]: secret ? signCalcomBody(raw, secret) : CALCOM_NO_SECRET_SIGNATURE,
    'x-cal-webhook-version': version,
  };
}
