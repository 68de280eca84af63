// Input checks that mirror Cal.com API v2's DTO validation (class-validator), with its limits: metadata at most
// 50 keys of ≤40 chars with string values of ≤500 chars, take ≤250, triggers from the real enum only.

import { CALCOM_SUBSCRIBABLE_TRIGGERS } from '../../../src/calcom/samples.js';
import { badRequest } from './http.js';

export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_KEY_CHARS = 40;
export const METADATA_MAX_VALUE_CHARS = 500;
export const LIST_TAKE_MAX = 250;
export const LIST_TAKE_DEFAULT = 100;

const METADATA_MESSAGE =
  'metadata must be an object with up to 50 keys, each key name up to 40 characters, ' +
  'and values with a maximum length of 500 characters.';
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export interface AttendeeInput {
  name: string;
  email: string;
  timeZone: string;
  phoneNumber?: string;
  language?: string;
}

export interface CreateBookingInput {
  start: string;
  attendee: AttendeeInput;
  eventTypeId?: number;
  eventTypeSlug?: string;
  username?: string;
  guests?: string[];
  location?: string | Record<string, unknown>;
  bookingFieldsResponses?: Record<string, unknown>;
  lengthInMinutes?: number;
  metadata?: Record<string, string>;
}

export interface WebhookInput {
  subscriberUrl: string;
  active: boolean;
  triggers: string[];
  secret?: string;
  payloadTemplate?: string | null;
  version?: string;
  time?: number;
  timeUnit?: string;
}

export interface ListBookingsQuery {
  status: string[];
  attendeeEmail?: string;
  attendeeName?: string;
  bookingUid?: string;
  eventTypeIds: number[];
  afterStart?: number;
  beforeEnd?: number;
  afterCreatedAt?: number;
  beforeCreatedAt?: number;
  afterUpdatedAt?: number;
  beforeUpdatedAt?: number;
  sort: Array<{ field: 'start' | 'end' | 'createdAt' | 'updatedAt'; dir: 'asc' | 'desc' }>;
  take: number;
  skip: number;
}

export const BOOKING_LIST_STATUSES = ['upcoming', 'recurring', 'past', 'cancelled', 'unconfirmed'] as const;
const WEBHOOK_VERSIONS = ['2021-10-20', '2026-07-27'];
const TIME_UNITS = ['DAY', 'HOUR', 'MINUTE'];
const NO_SHOW_TRIGGERS = ['AFTER_HOSTS_CAL_VIDEO_NO_SHOW', 'AFTER_GUESTS_CAL_VIDEO_NO_SHOW'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isIsoInstant(v: unknown): v is string {
  return typeof v === 'string' && ISO_INSTANT_RE.test(v) && !Number.isNaN(Date.parse(v));
}

export function metadataErrors(metadata: unknown): string[] {
  if (!isObject(metadata)) return [METADATA_MESSAGE];
  const keys = Object.keys(metadata);
  const problems: string[] = [];
  if (keys.length > METADATA_MAX_KEYS) problems.push(`metadata has ${keys.length} keys (max ${METADATA_MAX_KEYS})`);
  for (const key of keys) {
    const value = metadata[key];
    if (key.length > METADATA_MAX_KEY_CHARS) {
      problems.push(`metadata key "${key}" is longer than ${METADATA_MAX_KEY_CHARS} characters`);
    }
    if (typeof value !== 'string') problems.push(`metadata.${key} must be a string`);
    else if (value.length > METADATA_MAX_VALUE_CHARS) {
      problems.push(`metadata.${key} is longer than ${METADATA_MAX_VALUE_CHARS} characters`);
    }
  }
  return problems.length > 0 ? [METADATA_MESSAGE, ...problems] : [];
}

function attendeeErrors(a: unknown): string[] {
  if (!isObject(a)) return ['attendee must be an object'];
  const errors: string[] = [];
  if (typeof a.name !== 'string' || a.name.trim() === '') errors.push('attendee.name must be a non-empty string');
  if (typeof a.email !== 'string' || !EMAIL_RE.test(a.email)) errors.push('attendee.email must be an email');
  if (typeof a.timeZone !== 'string' || !isValidTimeZone(a.timeZone)) {
    errors.push('attendee.timeZone must be a valid IANA time zone');
  }
  if (a.phoneNumber !== undefined && (typeof a.phoneNumber !== 'string' || !/^\+\d{6,15}$/.test(a.phoneNumber))) {
    errors.push('attendee.phoneNumber must be a valid phone number in E.164 format');
  }
  if (a.language !== undefined && typeof a.language !== 'string') errors.push('attendee.language must be a string');
  return errors;
}

/** Throws a 400 ApiError listing every problem, as Cal.com's ValidationPipe does. */
export function parseCreateBooking(body: unknown): CreateBookingInput {
  if (!isObject(body)) throw badRequest(['body must be a JSON object']);
  const errors: string[] = [];
  if (!isIsoInstant(body.start)) {
    errors.push('start must be a valid ISO 8601 date string in UTC, e.g. 2031-01-06T09:00:00Z');
  }
  errors.push(...attendeeErrors(body.attendee));
  const hasId = body.eventTypeId !== undefined;
  if (hasId && (typeof body.eventTypeId !== 'number' || !Number.isInteger(body.eventTypeId))) {
    errors.push('eventTypeId must be an integer number');
  }
  if (!hasId && (typeof body.eventTypeSlug !== 'string' || typeof body.username !== 'string')) {
    errors.push('Either eventTypeId or eventTypeSlug + username must be provided');
  }
  if (body.guests !== undefined) {
    if (!Array.isArray(body.guests) || body.guests.some((g) => typeof g !== 'string' || !EMAIL_RE.test(g))) {
      errors.push('each value in guests must be an email');
    }
  }
  if (body.location !== undefined && typeof body.location !== 'string' && !isObject(body.location)) {
    errors.push('location must be a string or an object');
  }
  if (body.bookingFieldsResponses !== undefined && !isObject(body.bookingFieldsResponses)) {
    errors.push('bookingFieldsResponses must be an object');
  }
  if (
    body.lengthInMinutes !== undefined &&
    (typeof body.lengthInMinutes !== 'number' || !Number.isInteger(body.lengthInMinutes) || body.lengthInMinutes < 1)
  ) {
    errors.push('lengthInMinutes must be a positive integer');
  }
  if (body.metadata !== undefined) errors.push(...metadataErrors(body.metadata));
  if (errors.length > 0) throw badRequest(errors);
  return body as unknown as CreateBookingInput;
}

function triggerErrors(triggers: unknown): string[] {
  if (!Array.isArray(triggers) || triggers.length === 0) return ['triggers must be a non-empty array'];
  const allowed: readonly string[] = CALCOM_SUBSCRIBABLE_TRIGGERS;
  const bad = triggers.filter((t) => typeof t !== 'string' || !allowed.includes(t));
  return bad.length > 0
    ? [`each value in triggers must be one of the following values: ${allowed.join(', ')} (got ${bad.join(', ')})`]
    : [];
}

function urlErrors(url: unknown): string[] {
  if (typeof url !== 'string') return ['subscriberUrl must be a URL address'];
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? [] : ['subscriberUrl must be a URL address'];
  } catch {
    return ['subscriberUrl must be a URL address'];
  }
}

/** `partial` for PATCH: every field optional, but each present field is checked the same way. */
export function parseWebhookInput(body: unknown, partial: boolean): Partial<WebhookInput> {
  if (!isObject(body)) throw badRequest(['body must be a JSON object']);
  const errors: string[] = [];
  const present = (k: string): boolean => !partial || body[k] !== undefined;
  if (present('subscriberUrl')) errors.push(...urlErrors(body.subscriberUrl));
  if (present('active') && typeof body.active !== 'boolean') errors.push('active must be a boolean value');
  if (present('triggers')) errors.push(...triggerErrors(body.triggers));
  if (body.secret !== undefined && typeof body.secret !== 'string') errors.push('secret must be a string');
  if (body.payloadTemplate !== undefined && body.payloadTemplate !== null && typeof body.payloadTemplate !== 'string') {
    errors.push('payloadTemplate must be a string');
  }
  if (body.version !== undefined && !WEBHOOK_VERSIONS.includes(String(body.version))) {
    errors.push(`version must be one of the following values: ${WEBHOOK_VERSIONS.join(', ')}`);
  }
  if (body.time !== undefined && (typeof body.time !== 'number' || !Number.isInteger(body.time) || body.time < 1)) {
    errors.push('time must be a positive integer');
  }
  if (body.timeUnit !== undefined && !TIME_UNITS.includes(String(body.timeUnit))) {
    errors.push(`timeUnit must be one of the following values: ${TIME_UNITS.join(', ')}`);
  }
  const triggers = Array.isArray(body.triggers) ? body.triggers : [];
  const wantsNoShow = triggers.some((t) => NO_SHOW_TRIGGERS.includes(String(t)));
  if (wantsNoShow && (body.time === undefined || body.timeUnit === undefined)) {
    errors.push('time and timeUnit are required for the Cal Video no-show triggers');
  }
  if (errors.length > 0) throw badRequest(errors);
  return body as Partial<WebhookInput>;
}

function parseInstantParam(q: URLSearchParams, name: string, errors: string[]): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) errors.push(`${name} must be a valid ISO 8601 date string`);
  return t;
}

function parseIntParam(
  q: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
  errors: string[],
): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) errors.push(`${name} must be an integer number`);
  else if (n < min) errors.push(`${name} must not be less than ${min}`);
  else if (n > max) errors.push(`${name} must not be greater than ${max}`);
  return n;
}

const SORT_PARAMS = {
  sortStart: 'start',
  sortEnd: 'end',
  sortCreated: 'createdAt',
  sortUpdatedAt: 'updatedAt',
} as const;

export function parseListBookingsQuery(q: URLSearchParams): ListBookingsQuery {
  const errors: string[] = [];
  const status = (q.get('status') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const allowed: readonly string[] = BOOKING_LIST_STATUSES;
  const badStatus = status.filter((s) => !allowed.includes(s));
  if (badStatus.length > 0) {
    errors.push(`each value in status must be one of the following values: ${allowed.join(', ')}`);
  }

  const idsRaw = [q.get('eventTypeId'), q.get('eventTypeIds')].filter((v): v is string => v !== null).join(',');
  const eventTypeIds = idsRaw.split(',').filter(Boolean).map(Number);
  if (eventTypeIds.some((n) => !Number.isInteger(n))) errors.push('eventTypeIds must be comma-separated integers');

  const sort: ListBookingsQuery['sort'] = [];
  for (const [param, field] of Object.entries(SORT_PARAMS)) {
    const dir = q.get(param);
    if (dir === null) continue;
    if (dir !== 'asc' && dir !== 'desc') errors.push(`${param} must be one of the following values: asc, desc`);
    else sort.push({ field, dir });
  }

  const parsed: ListBookingsQuery = {
    status,
    attendeeEmail: q.get('attendeeEmail') ?? undefined,
    attendeeName: q.get('attendeeName') ?? undefined,
    bookingUid: q.get('bookingUid') ?? undefined,
    eventTypeIds,
    afterStart: parseInstantParam(q, 'afterStart', errors),
    beforeEnd: parseInstantParam(q, 'beforeEnd', errors),
    afterCreatedAt: parseInstantParam(q, 'afterCreatedAt', errors),
    beforeCreatedAt: parseInstantParam(q, 'beforeCreatedAt', errors),
    afterUpdatedAt: parseInstantParam(q, 'afterUpdatedAt', errors),
    beforeUpdatedAt: parseInstantParam(q, 'beforeUpdatedAt', errors),
    sort,
    take: parseIntParam(q, 'take', LIST_TAKE_DEFAULT, 1, LIST_TAKE_MAX, errors),
    skip: parseIntParam(q, 'skip', 0, 0, Number.MAX_SAFE_INTEGER, errors),
  };
  if (errors.length > 0) throw badRequest(errors);
  return parsed;
}
