// Shared vocabulary of the sample builders: the trigger list, the options, and one resolved context that
// every per-trigger builder reads. Defaults are derived from the booking uid so that the same options always
// give the same body (tests compare fields; fixtures are regenerated from fixed options).

import { createHash, randomBytes } from 'node:crypto';

/**
 * Every trigger a sample can be built for: Cal.com's `WebhookTriggerEvents` enum, plus `PING` (the "Ping test"
 * button, not in the enum) and the legacy `BOOKING_CONFIRMED` that older docs list but Cal.com never sends.
 */
export const SAMPLE_TRIGGERS = [
  'BOOKING_CREATED',
  'BOOKING_REQUESTED',
  'BOOKING_RESCHEDULED',
  'BOOKING_CANCELLED',
  'BOOKING_REJECTED',
  'BOOKING_PAYMENT_INITIATED',
  'BOOKING_PAID',
  'BOOKING_NO_SHOW_UPDATED',
  'BOOKING_LOCATION_UPDATED',
  'BOOKING_REASSIGNED',
  'MEETING_STARTED',
  'MEETING_ENDED',
  'RECORDING_READY',
  'RECORDING_TRANSCRIPTION_GENERATED',
  'INSTANT_MEETING',
  'INSTANT_MEETING_ACCEPTED',
  'FORM_SUBMITTED',
  'FORM_SUBMITTED_NO_EVENT',
  'ROUTING_FORM_FALLBACK_HIT',
  'OOO_CREATED',
  'AFTER_HOSTS_CAL_VIDEO_NO_SHOW',
  'AFTER_GUESTS_CAL_VIDEO_NO_SHOW',
  'WRONG_ASSIGNMENT_REPORT',
  'DELEGATION_CREDENTIAL_ERROR',
  'DELEGATION_CREDENTIAL_SECRET_ROTATION_FAILED',
  'DELEGATION_CREDENTIAL_ROTATION_REQUIRED',
  'DELEGATION_CREDENTIAL_SECRET_ROTATED',
  'CALENDAR_ENTRY_REJECTED',
  'PING',
  'BOOKING_CONFIRMED',
] as const;

export type SampleTrigger = (typeof SAMPLE_TRIGGERS)[number];

/** What a webhook can subscribe to through API v2 (`@IsEnum(WebhookTriggerEvents)`): no PING, no BOOKING_CONFIRMED. */
export const CALCOM_SUBSCRIBABLE_TRIGGERS = SAMPLE_TRIGGERS.filter(
  (t): t is Exclude<SampleTrigger, 'PING' | 'BOOKING_CONFIRMED'> => t !== 'PING' && t !== 'BOOKING_CONFIRMED',
);

export interface SampleOrganizer {
  id?: number;
  name?: string;
  email?: string;
  username?: string;
  timeZone?: string;
  locale?: string;
}

export interface SampleAttendee {
  name?: string;
  email?: string;
  timeZone?: string;
  phoneNumber?: string | null;
  locale?: string;
}

export interface SampleOptions {
  /** Booking uid (22-char base58). Default: random; pass one to make every derived default deterministic. */
  uid?: string;
  /** Numeric booking id. Default: derived from uid. */
  bookingId?: number;
  eventTypeId?: number;
  /** Event type slug (`payload.type`). Default `30min`. */
  eventTypeSlug?: string;
  /** Event type title (`payload.eventTitle`). Default `30 Min Meeting`. */
  eventTitle?: string;
  /** Booking title. Default `<eventTitle> between <organizer> and <attendee>`. */
  title?: string;
  /** ISO instant. Default: a slot in 2031 derived from `uid` when given, else now + 1 day rounded to the hour. */
  startTime?: string;
  /** ISO instant. Default: start + lengthInMinutes. */
  endTime?: string;
  lengthInMinutes?: number;
  organizer?: SampleOrganizer;
  attendee?: SampleAttendee;
  /** Additional guests' emails (become attendees and `responses.guests`). */
  guests?: string[];
  /** The booker's "additional notes". */
  notes?: string;
  /** `payload.location`. Default `integrations:daily` (Cal Video, with a videoCallUrl in metadata). */
  location?: string;
  /** Original booking uid, for BOOKING_RESCHEDULED (and BOOKING_REQUESTED when it is a reschedule). */
  rescheduleUid?: string;
  rescheduleId?: number;
  rescheduleStartTime?: string;
  rescheduleEndTime?: string;
  /** Email of whoever rescheduled. Default: the attendee. */
  rescheduledBy?: string;
  rescheduleReason?: string;
  cancellationReason?: string;
  /** Email of whoever cancelled. Default: the attendee. */
  cancelledBy?: string;
  /** A host's "request reschedule" (sent as BOOKING_CANCELLED). */
  requestReschedule?: boolean;
  rejectionReason?: string;
  /** BOOKING_NO_SHOW_UPDATED attendees. Default: the attendee marked as no-show. */
  noShow?: Array<{ email: string; noShow: boolean }>;
  /**
   * Merged into `payload.metadata` after Cal.com's own keys (videoCallUrl), as Cal.com merges booking
   * metadata. Cal.com's CANCELLED/REJECTED bodies carry no metadata: there it appears only when given.
   */
  metadata?: Record<string, unknown>;
  /** `labelled` (real, default for envelope triggers) or `flat` (older docs; default for flat MEETING_*). */
  responsesStyle?: 'labelled' | 'flat';
  /** Custom booking-field answers (field name → value), added to `responses` and `userFieldsResponses`. */
  extraResponses?: Record<string, unknown>;
  /** Envelope `createdAt` (send time). Default: now. */
  createdAt?: string;
  /** The booking row's `createdAt` (flat MEETING_* top level). Default: start - 2 days. */
  bookingCreatedAt?: string;
  /** Overrides `payload.status` (booking triggers) or the row status (MEETING_*). */
  status?: string;
  /** MEETING_STARTED/ENDED: `flat` (the cron's body, default) or `nested` (`{triggerEvent, createdAt, payload}`). */
  meetingForm?: 'flat' | 'nested';
  /** `reversed` swaps uid/rescheduleUid (and bookingId/rescheduleId) as some third-party docs describe. */
  uidOrder?: 'real' | 'reversed';
  requiresConfirmation?: boolean;
  /** Price in the smallest currency unit. Default 0, or 5000 for payment triggers. */
  price?: number;
  currency?: string;
  paymentId?: number;
  smsReminderNumber?: string;
  /**
   * The webhook's payload version. `2026-07-27` adds `attendeeIcsContent`/`organizerIcsContent` to CREATED,
   * RESCHEDULED, REASSIGNED, CANCELLED and PAID (PAID only when the booking is accepted). Default `2021-10-20`.
   */
  webhookVersion?: '2021-10-20' | '2026-07-27';
  /** Occurrences of one recurring booking share this id (`payload.recurringEventId`). */
  recurringEventId?: string;
  /** Seated event type: seats per slot (`payload.seatsPerTimeSlot`); default null (not seated). */
  seatsPerTimeSlot?: number;
  /** Whether seat holders see each other; when false a seat's body lists only its own attendee. */
  seatsShowAttendees?: boolean;
  /** The seat's reference uid (`payload.attendeeSeatId`), on a seat's booking. */
  attendeeSeatId?: string;
}

export interface ResolvedPerson {
  name: string;
  email: string;
  timeZone: string;
  locale: string;
}

export interface SampleContext {
  trigger: SampleTrigger;
  opts: SampleOptions;
  createdAt: string;
  bookingCreatedAt: string;
  uid: string;
  bookingId: number;
  eventTypeId: number;
  eventTypeSlug: string;
  eventTitle: string;
  title: string;
  start: Date;
  end: Date;
  lengthInMinutes: number;
  organizer: ResolvedPerson & { id: number; username: string };
  attendee: ResolvedPerson & { phoneNumber: string | null };
  guests: string[];
  notes: string;
  location: string;
  videoCallUrl: string | null;
  /** Deterministic small integer derived from the uid and a salt, for ids that must look plausible. */
  seq(salt: string, modulo: number): number;
  /** Deterministic uuid-shaped string derived from the uid and a salt. */
  uuid(salt: string): string;
}

// Cal.com's short-uuid translator uses the Flickr base58 alphabet; a 128-bit uuid becomes at most 22 chars.
const FLICKR_BASE58 = '123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
const BOOKING_UID_LENGTH = 22;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
// Uid-derived default slots land in 2031 so they stay in the future for years yet never depend on the clock.
const DETERMINISTIC_SLOT_EPOCH_MS = Date.UTC(2031, 0, 6);

function sha256(input: string): Buffer {
  return createHash('sha256').update(input).digest();
}

function uuidV4Bytes(seed?: string): Buffer {
  const bytes = seed === undefined ? randomBytes(16) : sha256(seed).subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytes;
}

/** A Cal.com-style booking uid: a v4 uuid in Flickr base58, left-padded to 22 chars. Deterministic from `seed`. */
export function makeBookingUid(seed?: string): string {
  let n = BigInt(`0x${uuidV4Bytes(seed).toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = FLICKR_BASE58[Number(n % 58n)]! + out;
    n /= 58n;
  }
  return out.padStart(BOOKING_UID_LENGTH, FLICKR_BASE58[0]);
}

export function makeUuid(seed?: string): string {
  const hex = uuidV4Bytes(seed).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function parseInstant(value: string, name: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new TypeError(`${name} is not a valid ISO 8601 instant: ${value}`);
  return d;
}

/** `dayjs(x).utc().format()`: what the booking-creation paths put in startTime (no milliseconds, `Z`). */
export function formatUtcSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `dayjs(x).format()` on a UTC server: what the cancellation path puts in startTime. */
export function formatUtcOffset(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** Minutes east of UTC in `timeZone` at `at`, as sendPayload adds to organizer and attendees. */
export function utcOffsetMinutes(timeZone: string, at: Date): number {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part ?? '');
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

function defaultStart(uid: string | undefined, seq: (salt: string, modulo: number) => number): Date {
  if (uid !== undefined) {
    return new Date(DETERMINISTIC_SLOT_EPOCH_MS + seq('day', 300) * DAY_MS + (8 + seq('hour', 9)) * HOUR_MS);
  }
  return new Date(Math.ceil((Date.now() + DAY_MS) / HOUR_MS) * HOUR_MS);
}

export function resolveContext(trigger: SampleTrigger, opts: SampleOptions): SampleContext {
  const uid = opts.uid ?? makeBookingUid();
  const seq = (salt: string, modulo: number): number => sha256(`${salt}:${uid}`).readUInt32BE(0) % modulo;
  const uuid = (salt: string): string => makeUuid(`${salt}:${uid}`);

  const lengthFromTimes =
    opts.startTime !== undefined && opts.endTime !== undefined
      ? Math.round(
          (parseInstant(opts.endTime, 'endTime').getTime() - parseInstant(opts.startTime, 'startTime').getTime()) /
            MINUTE_MS,
        )
      : undefined;
  const lengthInMinutes = opts.lengthInMinutes ?? lengthFromTimes ?? 30;
  const start = opts.startTime !== undefined ? parseInstant(opts.startTime, 'startTime') : defaultStart(opts.uid, seq);
  const end =
    opts.endTime !== undefined
      ? parseInstant(opts.endTime, 'endTime')
      : new Date(start.getTime() + lengthInMinutes * MINUTE_MS);

  const organizer = {
    id: opts.organizer?.id ?? 7,
    name: opts.organizer?.name ?? 'Dana Whitfield',
    email: opts.organizer?.email ?? 'dana@studio.example.com',
    username: opts.organizer?.username ?? 'dana',
    timeZone: opts.organizer?.timeZone ?? 'Europe/Berlin',
    locale: opts.organizer?.locale ?? 'en',
  };
  const attendee = {
    name: opts.attendee?.name ?? 'Jamie Rivera',
    email: opts.attendee?.email ?? 'jamie.rivera@example.com',
    timeZone: opts.attendee?.timeZone ?? 'America/New_York',
    locale: opts.attendee?.locale ?? 'en',
    phoneNumber: opts.attendee?.phoneNumber ?? null,
  };
  const eventTitle = opts.eventTitle ?? '30 Min Meeting';
  const location = opts.location ?? 'integrations:daily';

  return {
    trigger,
    opts,
    createdAt: opts.createdAt ?? new Date().toISOString(),
    bookingCreatedAt: opts.bookingCreatedAt ?? new Date(start.getTime() - 2 * DAY_MS).toISOString(),
    uid,
    bookingId: opts.bookingId ?? 1000 + seq('bookingId', 90_000),
    eventTypeId: opts.eventTypeId ?? 1201,
    eventTypeSlug: opts.eventTypeSlug ?? '30min',
    eventTitle,
    title: opts.title ?? `${eventTitle} between ${organizer.name} and ${attendee.name}`,
    start,
    end,
    lengthInMinutes,
    organizer,
    attendee,
    guests: opts.guests ?? [],
    notes: opts.notes ?? '',
    location,
    videoCallUrl: location === 'integrations:daily' ? `https://app.cal.com/video/${uid}` : null,
    seq,
    uuid,
  };
}

/** Drops `undefined` keys exactly as JSON.stringify does, so the object equals what a receiver parses. */
export function asJsonObject(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
