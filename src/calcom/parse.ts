// Turns one Cal.com delivery (the parsed JSON body, signature already verified) into a DomainEvent, a skip,
// or a precise refusal. Nothing here does I/O; the route maps the result to HTTP.
//
// Missing or non-string `triggerEvent` is a validation_error (the body is malformed, and the issue names the
// field); a well-formed but unknown name is unsupported_event.

import type { z } from 'zod';

import { durationProblem } from '../appointments/duration.js';
import type { DomainEvent } from '../appointments/types.js';
import { eventDedupKey, skipDedupKey } from './dedup.js';
import {
  normaliseBookingEvent,
  normaliseMeetingEvent,
  normaliseNoShowEvent,
  type BookingEventKind,
  type MeetingEventKind,
} from './normalise.js';
import {
  closingBookingSchema,
  envelopeSchema,
  meetingBookingSchema,
  noShowSchema,
  scheduledBookingSchema,
} from './schemas.js';
import { assertNever, isTrigger, TRIGGER_HANDLING, type Trigger, type WebhookEventKind } from './triggers.js';
import { isRecord, nonBlank } from './values.js';

export interface ParseIssue {
  /** Dotted path in the body, e.g. `payload.startTime` or `payload.attendees.0.email`; '' for the body. */
  path: string;
  message: string;
}

export type ParseResult =
  | { ok: true; trigger: Trigger; event: DomainEvent; bookingUid: string; dedupKey: string }
  | { ok: true; trigger: Trigger; skip: string; bookingUid: string | null; dedupKey: string }
  | { ok: false; code: 'unsupported_event' | 'validation_error'; message: string; issues?: ParseIssue[] };

type Failure = Extract<ParseResult, { ok: false }>;
type EventResult = Extract<ParseResult, { event: DomainEvent }>;

const scheduledEnvelope = envelopeSchema(scheduledBookingSchema);
const closingEnvelope = envelopeSchema(closingBookingSchema);
const noShowEnvelope = envelopeSchema(noShowSchema);
const meetingEnvelope = envelopeSchema(meetingBookingSchema);

/** Long enough to recognise a value in a message, short enough that a hostile body cannot bloat logs. */
const MAX_ECHO_CHARS = 64;
/** The message lists the first few issues; `issues` has them all. */
const MAX_ISSUES_IN_MESSAGE = 3;

export function parseDelivery(body: unknown): ParseResult {
  if (!isRecord(body)) {
    return validationFailure('The body must be a JSON object', [{ path: '', message: 'must be a JSON object' }]);
  }
  const triggerEvent = body.triggerEvent;
  if (triggerEvent === undefined || triggerEvent === null) {
    return validationFailure('triggerEvent is required', [{ path: 'triggerEvent', message: 'is required' }]);
  }
  if (typeof triggerEvent !== 'string') {
    return validationFailure('triggerEvent must be a string', [{ path: 'triggerEvent', message: 'must be a string' }]);
  }
  if (!isTrigger(triggerEvent)) {
    return {
      ok: false,
      code: 'unsupported_event',
      message: `Unsupported trigger event ${JSON.stringify(triggerEvent.slice(0, MAX_ECHO_CHARS))}`,
    };
  }

  const handling = TRIGGER_HANDLING[triggerEvent];
  if (handling.handle === 'skip') return skipResult(triggerEvent, handling.reason, body);
  return parseEvent(triggerEvent, handling.kind, body);
}

/** Skipped triggers are not validated: they change nothing, so their shape must not cause errors. */
function skipResult(trigger: Trigger, reason: string, body: Record<string, unknown>): ParseResult {
  const content = 'payload' in body ? body.payload : { ...body, triggerEvent: undefined };
  const bookingUid = isRecord(content) ? (nonBlank(content.uid) ?? nonBlank(content.bookingUid)) : null;
  return { ok: true, trigger, skip: reason, bookingUid, dedupKey: skipDedupKey(trigger, bookingUid, content) };
}

function parseEvent(trigger: Trigger, kind: WebhookEventKind, body: Record<string, unknown>): ParseResult {
  switch (kind) {
    case 'created':
    case 'requested':
    case 'rescheduled':
    case 'confirmed':
    case 'payment_initiated':
    case 'paid':
      return bookingEvent(trigger, kind, body, scheduledEnvelope);
    case 'cancelled':
    case 'rejected':
      return bookingEvent(trigger, kind, body, closingEnvelope);
    case 'no_show_updated': {
      const parsed = noShowEnvelope.safeParse(body);
      if (!parsed.success) return zodFailure(trigger, parsed.error);
      const event = normaliseNoShowEvent(parsed.data.payload, parsed.data.createdAt ?? null);
      return eventResult(trigger, event, null);
    }
    case 'meeting_started':
    case 'meeting_ended':
      return meetingEvent(trigger, kind, body);
    default:
      return assertNever(kind, 'event kind');
  }
}

function bookingEvent(
  trigger: Trigger,
  kind: BookingEventKind,
  body: Record<string, unknown>,
  schema: typeof scheduledEnvelope | typeof closingEnvelope,
): ParseResult {
  const parsed = schema.safeParse(body);
  if (!parsed.success) return zodFailure(trigger, parsed.error);
  const { payload, createdAt } = parsed.data;
  return eventResult(trigger, normaliseBookingEvent(kind, payload, createdAt ?? null), payload.status ?? null);
}

/** Nested when `payload` is an object (trigger.dev builder); otherwise the cron's flat booking row. */
function meetingEvent(trigger: Trigger, kind: MeetingEventKind, body: Record<string, unknown>): ParseResult {
  if (isRecord(body.payload)) {
    const parsed = meetingEnvelope.safeParse(body);
    if (!parsed.success) return zodFailure(trigger, parsed.error);
    const { payload, createdAt } = parsed.data;
    return eventResult(trigger, normaliseMeetingEvent(kind, payload, createdAt ?? null), payload.status ?? null);
  }
  const parsed = meetingBookingSchema.safeParse(body);
  if (!parsed.success) return zodFailure(trigger, parsed.error);
  return eventResult(trigger, normaliseMeetingEvent(kind, parsed.data, null), parsed.data.status ?? null);
}

function eventResult(trigger: Trigger, event: DomainEvent, calcomStatus: string | null): EventResult | Failure {
  // An absurd span (year 0001 to 9999) would overlap every appointment of its organizer (issue 11 item 9).
  const span = durationProblem(event.booking.startTime, event.booking.endTime);
  if (span) return validationFailure(`Invalid ${trigger} delivery: endTime ${span}`, [{ path: 'payload.endTime', message: span }]);
  return {
    ok: true,
    trigger,
    event,
    bookingUid: event.booking.uid,
    dedupKey: eventDedupKey(trigger, event, calcomStatus),
  };
}

function zodFailure(trigger: Trigger, error: z.ZodError): Failure {
  const issues = error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const listed = issues
    .slice(0, MAX_ISSUES_IN_MESSAGE)
    .map((i) => `${i.path || '(body)'} ${i.message}`)
    .join('; ');
  const more = issues.length > MAX_ISSUES_IN_MESSAGE ? ` (+${issues.length - MAX_ISSUES_IN_MESSAGE} more)` : '';
  return validationFailure(`Invalid ${trigger} delivery: ${listed}${more}`, issues);
}

function validationFailure(message: string, issues: ParseIssue[]): Failure {
  return { ok: false, code: 'validation_error', message, issues };
}
