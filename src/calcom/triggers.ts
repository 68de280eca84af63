// Every trigger Cal.com can send (docs/calcom-webhooks.md §1) and what calsync does with each.
// TRIGGER_HANDLING is checked with `satisfies Record<Trigger, …>`, so adding a name to CALCOM_TRIGGERS is a
// compile error until someone decides, here, what it means.

import type { EventKind } from '../appointments/types.js';

export const CALCOM_TRIGGERS = [
  'BOOKING_CREATED',
  'BOOKING_PAYMENT_INITIATED',
  'BOOKING_PAID',
  'BOOKING_RESCHEDULED',
  'BOOKING_REQUESTED',
  'BOOKING_CANCELLED',
  'BOOKING_REJECTED',
  'BOOKING_NO_SHOW_UPDATED',
  'BOOKING_LOCATION_UPDATED',
  'BOOKING_REASSIGNED',
  'FORM_SUBMITTED',
  'FORM_SUBMITTED_NO_EVENT',
  'ROUTING_FORM_FALLBACK_HIT',
  'MEETING_STARTED',
  'MEETING_ENDED',
  'RECORDING_READY',
  'RECORDING_TRANSCRIPTION_GENERATED',
  'INSTANT_MEETING',
  'INSTANT_MEETING_ACCEPTED',
  'OOO_CREATED',
  'AFTER_HOSTS_CAL_VIDEO_NO_SHOW',
  'AFTER_GUESTS_CAL_VIDEO_NO_SHOW',
  'DELEGATION_CREDENTIAL_ERROR',
  'DELEGATION_CREDENTIAL_SECRET_ROTATION_FAILED',
  'DELEGATION_CREDENTIAL_ROTATION_REQUIRED',
  'DELEGATION_CREDENTIAL_SECRET_ROTATED',
  'WRONG_ASSIGNMENT_REPORT',
  'CALENDAR_ENTRY_REJECTED',
  // Not in Cal.com's enum: sent only by the "Ping test" button.
  'PING',
  // Not a real Cal.com trigger (PR #1400 never merged), but older docs and hand-written senders use it.
  'BOOKING_CONFIRMED',
] as const;

export type Trigger = (typeof CALCOM_TRIGGERS)[number];

/** The kinds a webhook can produce; `snapshot` only comes from reading Cal.com's API. */
export type WebhookEventKind = Exclude<EventKind, 'snapshot'>;

export type TriggerHandling =
  | { readonly handle: 'event'; readonly kind: WebhookEventKind }
  | { readonly handle: 'skip'; readonly reason: string };

const NOT_TRACKED_YET = 'not tracked yet';

export const TRIGGER_HANDLING = {
  BOOKING_CREATED: { handle: 'event', kind: 'created' },
  BOOKING_PAYMENT_INITIATED: { handle: 'event', kind: 'payment_initiated' },
  BOOKING_PAID: { handle: 'event', kind: 'paid' },
  BOOKING_RESCHEDULED: { handle: 'event', kind: 'rescheduled' },
  BOOKING_REQUESTED: { handle: 'event', kind: 'requested' },
  BOOKING_CANCELLED: { handle: 'event', kind: 'cancelled' },
  BOOKING_REJECTED: { handle: 'event', kind: 'rejected' },
  BOOKING_NO_SHOW_UPDATED: { handle: 'event', kind: 'no_show_updated' },
  BOOKING_CONFIRMED: { handle: 'event', kind: 'confirmed' },
  MEETING_STARTED: { handle: 'event', kind: 'meeting_started' },
  MEETING_ENDED: { handle: 'event', kind: 'meeting_ended' },

  // New in 2026 and only seen in the docs' enum: no payload shape has been verified, so mapping them to a
  // booking update would be guessing. Skipped (and logged by the caller) until a real delivery is read;
  // reconciliation through the API picks up the changed location or host meanwhile.
  BOOKING_LOCATION_UPDATED: { handle: 'skip', reason: NOT_TRACKED_YET },
  BOOKING_REASSIGNED: { handle: 'skip', reason: NOT_TRACKED_YET },

  PING: { handle: 'skip', reason: 'ping (test delivery)' },
  FORM_SUBMITTED: { handle: 'skip', reason: 'routing form submissions are not bookings' },
  FORM_SUBMITTED_NO_EVENT: { handle: 'skip', reason: 'routing form submissions are not bookings' },
  ROUTING_FORM_FALLBACK_HIT: { handle: 'skip', reason: 'routing form submissions are not bookings' },
  RECORDING_READY: { handle: 'skip', reason: 'recordings are not tracked' },
  RECORDING_TRANSCRIPTION_GENERATED: { handle: 'skip', reason: 'recordings are not tracked' },
  // A team instant meeting is a call starting now; it is not an appointment to sync.
  INSTANT_MEETING: { handle: 'skip', reason: 'instant meetings are not tracked' },
  INSTANT_MEETING_ACCEPTED: { handle: 'skip', reason: 'instant meetings are not tracked' },
  OOO_CREATED: { handle: 'skip', reason: 'out-of-office entries are not bookings' },
  // Whether someone joined Cal Video is not the booking's no-show flag (BOOKING_NO_SHOW_UPDATED is).
  AFTER_HOSTS_CAL_VIDEO_NO_SHOW: { handle: 'skip', reason: 'Cal Video attendance reports are not the no-show flag' },
  AFTER_GUESTS_CAL_VIDEO_NO_SHOW: { handle: 'skip', reason: 'Cal Video attendance reports are not the no-show flag' },
  DELEGATION_CREDENTIAL_ERROR: { handle: 'skip', reason: 'delegation credential notices are not bookings' },
  DELEGATION_CREDENTIAL_SECRET_ROTATION_FAILED: {
    handle: 'skip',
    reason: 'delegation credential notices are not bookings',
  },
  DELEGATION_CREDENTIAL_ROTATION_REQUIRED: { handle: 'skip', reason: 'delegation credential notices are not bookings' },
  DELEGATION_CREDENTIAL_SECRET_ROTATED: { handle: 'skip', reason: 'delegation credential notices are not bookings' },
  WRONG_ASSIGNMENT_REPORT: { handle: 'skip', reason: 'wrong-assignment reports are not tracked' },
  // Meaning not verified (docs' enum only).
  CALENDAR_ENTRY_REJECTED: { handle: 'skip', reason: NOT_TRACKED_YET },
} as const satisfies Record<Trigger, TriggerHandling>;

const TRIGGER_SET: ReadonlySet<string> = new Set(CALCOM_TRIGGERS);

/** Exact, case-sensitive: Cal.com always sends the enum name as is. */
export function isTrigger(value: string): value is Trigger {
  return TRIGGER_SET.has(value);
}

export function assertNever(value: never, what: string): never {
  throw new Error(`Unhandled ${what}: ${String(value)}`);
}
