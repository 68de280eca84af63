// Field-level schemas shared by every Cal.com payload. The rule throughout: strict about the type of a
// field calsync reads (a number where a string belongs is an error, not a coercion), lenient about
// everything else (fields Cal.com adds later are accepted and left out of the parsed value, which holds
// only what calsync reads: copying every unknown key of every delivery was a third of the parse's time;
// the stored raw body keeps them all).
// Formats are normalised here, once: times become ISO UTC with milliseconds, emails trimmed and lower-case,
// numeric ids numbers.

import { z } from 'zod';

const UID_MAX_CHARS = 255;
const EMAIL_MAX_CHARS = 320;

/** Says "is required" for an absent field instead of zod's "expected string, received undefined". */
export function requiredOr(message: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'is required' : message);
}

/** Cal.com's uids are base58; anything non-blank is accepted so a format change upstream cannot lock us out. */
export const uidSchema = z
  .string({ error: requiredOr('must be a non-empty string') })
  .trim()
  .min(1, { error: 'must be a non-empty string' })
  // Far above Cal.com's ~22 characters; a longer one cannot be a key in PostgreSQL's btree index (500).
  .max(UID_MAX_CHARS, { error: `must be at most ${UID_MAX_CHARS} characters`, abort: true });

// Deliberately loose ("something@domain.tld"): Cal.com validated the address already; this only catches
// a wrong field or a placeholder, without rejecting unusual but valid addresses.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const emailSchema = z
  .string({ error: requiredOr('must be an email address') })
  .trim()
  // RFC 5321's limit; bounded before the pattern, which backtracks on a long run of dots.
  .max(EMAIL_MAX_CHARS, { error: `must be an email address of at most ${EMAIL_MAX_CHARS} characters`, abort: true })
  .toLowerCase()
  .regex(EMAIL_RE, { error: 'must be an email address' });

// ISO 8601 with an explicit offset. Cal.com sends `Z` (toISOString) or `+00:00` (dayjs .format()); a time
// without an offset would be read in the server's zone, so it is refused rather than guessed.
const ISO_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function isIsoTime(value: string): boolean {
  const m = ISO_TIME_RE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.parse rolls 2026-02-30 over to March; a calendar check keeps that an error.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && !Number.isNaN(Date.parse(value));
}

export const isoTimeSchema = z
  .string({ error: requiredOr('must be an ISO 8601 date-time string') })
  .refine(isIsoTime, { error: 'must be an ISO 8601 date-time with an offset (Z or ±hh:mm)' })
  .transform(toIsoUtc);

/** UTC to the second or the millisecond, as Cal.com sends it; the checked fields then print back unchanged. */
const ISO_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;
const ISO_UTC_SECONDS_CHARS = 'YYYY-MM-DDTHH:MM:SS'.length;

/**
 * `new Date(value).toISOString()` of a value isIsoTime accepted, without parsing a date for the usual
 * form: its fields are in range and it is in UTC, so toISOString would give the same text (with `.000` when
 * the value has no milliseconds).
 */
export function toIsoUtc(value: string): string {
  if (ISO_UTC_RE.test(value)) return value.length === ISO_UTC_SECONDS_CHARS + 1 ? `${value.slice(0, ISO_UTC_SECONDS_CHARS)}.000Z` : value;
  return new Date(value).toISOString();
}

/** Database ids: Cal.com sends numbers; hand-written senders and templates sometimes quote them. */
export const intIdSchema = z.union(
  [
    z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    z
      .string()
      .regex(/^\d{1,15}$/)
      .transform(Number),
  ],
  { error: 'must be a non-negative integer or a numeric string' },
);

/** Optional text: absent, null or a string. Empty/blank strings are kept here and dropped by the mapper. */
export const textSchema = z.string().nullish();

export const personSchema = z.object({
  email: emailSchema,
  name: textSchema,
  timeZone: textSchema,
});

export const attendeeSchema = personSchema.extend({
  phoneNumber: textSchema,
  noShow: z.boolean().nullish(),
});

/**
 * Booking-form answers. Real deliveries carry `{field: {label, value?, isHidden?}}` where `value` is a
 * string, an array (guests) or an object (`location: {value, optionValue}`) and is absent when left empty;
 * older docs, INSTANT_MEETING and the flat MEETING_* rows carry the bare values. Both are accepted as-is and
 * read defensively by responses.ts, so only the container's type is checked here.
 */
export const responsesSchema = z.record(z.string(), z.unknown(), { error: 'must be an object' }).nullish();

export type PersonPayload = z.output<typeof personSchema>;
export type AttendeePayload = z.output<typeof attendeeSchema>;
export type ResponsesPayload = z.output<typeof responsesSchema>;
