import { describe, expect, it } from 'vitest';

import type { DomainEvent } from '../../src/appointments/types.js';
import { parseDelivery, type ParseResult } from '../../src/calcom/parse.js';
import * as P from './payloads.js';

type EventOk = Extract<ParseResult, { event: DomainEvent }>;
type SkipOk = Extract<ParseResult, { skip: string }>;
type Failure = Extract<ParseResult, { ok: false }>;

function event(body: unknown): EventOk {
  const result = parseDelivery(body);
  if (!result.ok || !('event' in result)) throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result;
}

function skip(body: unknown): SkipOk {
  const result = parseDelivery(body);
  if (!result.ok || !('skip' in result)) throw new Error(`expected a skip, got ${JSON.stringify(result)}`);
  return result;
}

function failure(body: unknown): Failure {
  const result = parseDelivery(body);
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result;
}

const DANA = { name: 'Dana Host', email: 'dana.host@example.com', timeZone: 'Europe/London' };
const ALEX = { name: 'Alex Guest', email: 'alex.guest@example.org', timeZone: 'Europe/Paris' };

describe('BOOKING_CREATED', () => {
  it('maps every field of a real labelled-responses delivery', () => {
    const result = event(P.bookingCreated());
    expect(result.trigger).toBe('BOOKING_CREATED');
    expect(result.bookingUid).toBe(P.UID);
    expect(result.dedupKey).toMatch(/^[0-9a-f]{64}$/);
    expect(result.event).toEqual<DomainEvent>({
      kind: 'created',
      booking: {
        uid: P.UID,
        bookingId: 1201,
        eventTypeId: 42,
        eventType: 'intro-call',
        title: 'Intro call between Dana Host and Alex Guest',
        startTime: '2026-12-01T09:00:00.000Z',
        endTime: '2026-12-01T09:30:00.000Z',
        organizer: DANA,
        attendees: [ALEX],
        phone: '+447700900123',
        notes: 'Second floor, ring twice',
        location: '1 Main St, London',
        metadata: { videoCallUrl: `https://app.cal.com/video/${P.UID}`, calsyncId: 'apt_77' },
      },
      previousUid: null,
      reason: null,
      actor: null,
      requestReschedule: false,
      noShow: null,
      payment: null,
      snapshotStatus: null,
      sentAt: P.SENT_AT,
    });
  });

  it('reads the same facts from flat (older docs) responses, with the same dedup key', () => {
    const labelled = event(P.bookingCreated());
    const flat = event(P.bookingCreatedFlatResponses());
    expect(flat.event).toEqual(labelled.event);
    expect(flat.dedupKey).toBe(labelled.dedupKey);
  });

  it.each([
    ['labelled', P.labelledResponses],
    ['flat', P.flatResponses],
  ])('falls back to %s responses for phone, notes and location', (_name, responses) => {
    const body = P.patchPayload(P.bookingCreated(), {
      responses: structuredClone(responses),
      location: null,
      additionalNotes: '',
      description: null,
      attendees: [{ email: 'alex.guest@example.org', name: 'Alex Guest', timeZone: 'Europe/Paris' }],
    });
    const { booking } = event(body).event;
    expect(booking.phone).toBe('+447700900123');
    expect(booking.notes).toBe('Second floor, ring twice');
    // optionValue (the address the booker typed) wins over the location type `inPerson`.
    expect(booking.location).toBe('1 Main St, London');
  });

  it('prefers the attendee phone number, then attendeePhoneNumber, phone, smsReminderNumber', () => {
    const base = P.patchPayload(P.bookingCreated(), { responses: {} });
    const cases: [Record<string, unknown>, string | null][] = [
      [{ attendees: [{ email: 'a@b.co', phoneNumber: '+111' }], responses: { phone: '+222' } }, '+111'],
      [{ responses: { phone: { label: 'Phone', value: '+222' }, smsReminderNumber: '+333' } }, '+222'],
      [{ responses: { smsReminderNumber: { label: 'SMS', value: '+333' } } }, '+333'],
      [{ responses: { phone: { label: 'Phone', value: ['+444'] } } }, null],
      [{ responses: {}, smsReminderNumber: '+555' }, '+555'],
    ];
    for (const [patch, phone] of cases) expect(event(P.patchPayload(base, patch)).event.booking.phone).toBe(phone);
  });

  it('reads the location type when no optionValue was given, and null when nothing is known', () => {
    const body = P.patchPayload(P.bookingCreated(), {
      location: '',
      responses: { location: { label: 'location', value: { value: 'integrations:daily', optionValue: '' } } },
    });
    expect(event(body).event.booking.location).toBe('integrations:daily');
    const none = P.patchPayload(P.bookingCreated(), { location: null, responses: {} });
    expect(event(none).event.booking.location).toBeNull();
  });

  it('keeps only object metadata', () => {
    for (const metadata of [null, 'x', 3, ['a']]) {
      expect(event(P.patchPayload(P.bookingCreated(), { metadata })).event.booking.metadata).toEqual({});
    }
    expect(event(P.dropPayloadKey(P.bookingCreated(), 'metadata')).event.booking.metadata).toEqual({});
  });

  it('accepts a numeric-string bookingId and eventTypeId', () => {
    const { booking } = event(P.patchPayload(P.bookingCreated(), { bookingId: '1201', eventTypeId: '42' })).event;
    expect(booking.bookingId).toBe(1201);
    expect(booking.eventTypeId).toBe(42);
  });

  it('accepts unknown extra fields anywhere', () => {
    const body = P.patchPayload(P.bookingCreated(), {
      brandNewField: { nested: [1, 2, 3] },
      organizer: { ...DANA, email: 'Dana.Host@Example.com', somethingNew: true },
    });
    (body as Record<string, unknown>).envelopeExtra = 'ok';
    expect(event(body).event.booking.organizer).toEqual(DANA);
  });

  it('accepts a delivery with no envelope createdAt (sentAt null)', () => {
    const body = P.bookingCreated();
    delete body.createdAt;
    expect(event(body).event.sentAt).toBeNull();
  });
});

describe('reschedules', () => {
  it('BOOKING_RESCHEDULED: uid is the new booking, rescheduleUid the original', () => {
    const result = event(P.bookingRescheduled());
    expect(result.bookingUid).toBe(P.NEW_UID);
    expect(result.event).toMatchObject({
      kind: 'rescheduled',
      booking: {
        uid: P.NEW_UID,
        bookingId: 1305,
        startTime: '2026-12-02T14:00:00.000Z',
        endTime: '2026-12-02T14:30:00.000Z',
      },
      previousUid: P.UID,
      reason: 'Train delayed',
      actor: 'alex.guest@example.org',
      requestReschedule: false,
    });
  });

  it('falls back to fromReschedule for the previous uid', () => {
    const body = P.patchPayload(P.dropPayloadKey(P.bookingRescheduled(), 'rescheduleUid'), { fromReschedule: P.UID });
    expect(event(body).event.previousUid).toBe(P.UID);
  });

  it('BOOKING_REQUESTED with rescheduleUid is a requested event linked to the original', () => {
    expect(event(P.bookingRequestedReschedule()).event).toMatchObject({
      kind: 'requested',
      booking: { uid: P.NEW_UID, bookingId: 1306 },
      previousUid: P.UID,
      reason: null,
      actor: 'alex.guest@example.org',
    });
  });

  it('a plain BOOKING_REQUESTED has no previous uid', () => {
    expect(event(P.bookingRequested()).event).toMatchObject({ kind: 'requested', previousUid: null });
  });
});

describe('closing a booking', () => {
  it('BOOKING_CANCELLED with +00:00 times and requestReschedule', () => {
    expect(event(P.bookingCancelled(true)).event).toMatchObject({
      kind: 'cancelled',
      booking: { uid: P.UID, startTime: '2026-12-01T09:00:00.000Z', endTime: '2026-12-01T09:30:00.000Z' },
      reason: 'Host unavailable',
      actor: 'dana.host@example.com',
      requestReschedule: true,
    });
    expect(event(P.bookingCancelled(false)).event.requestReschedule).toBe(false);
  });

  it('BOOKING_CANCELLED without times (older senders) is accepted', () => {
    const body = P.dropPayloadKey(P.dropPayloadKey(P.bookingCancelled(), 'startTime'), 'endTime');
    expect(event(body).event.booking).toMatchObject({ uid: P.UID, startTime: null, endTime: null });
  });

  it('BOOKING_REJECTED carries the rejection reason', () => {
    expect(event(P.bookingRejected()).event).toMatchObject({
      kind: 'rejected',
      reason: 'Fully booked that week',
      actor: null,
    });
  });
});

describe('BOOKING_NO_SHOW_UPDATED', () => {
  it('names the booking and the lower-cased attendees, nothing else', () => {
    const result = event(P.bookingNoShowUpdated());
    expect(result.bookingUid).toBe(P.UID);
    expect(result.event).toEqual<DomainEvent>({
      kind: 'no_show_updated',
      booking: {
        uid: P.UID,
        bookingId: 1201,
        eventTypeId: null,
        eventType: null,
        title: null,
        startTime: null,
        endTime: null,
        organizer: null,
        attendees: [],
        phone: null,
        notes: null,
        location: null,
        metadata: {},
      },
      previousUid: null,
      reason: null,
      actor: null,
      requestReschedule: false,
      noShow: [
        { email: 'zed@example.org', noShow: false },
        { email: 'alex.guest@example.org', noShow: true },
      ],
      payment: null,
      snapshotStatus: null,
      sentAt: P.SENT_AT,
    });
  });
  it('reads a missing attendees list as an empty change list', () => {
    expect(event(P.dropPayloadKey(P.bookingNoShowUpdated(), 'attendees')).event.noShow).toEqual([]);
  });
});

describe('MEETING_STARTED / MEETING_ENDED', () => {
  it('reads the flat booking row (no payload wrapper, sentAt null)', () => {
    const result = event(P.meetingEndedFlat());
    expect(result.bookingUid).toBe(P.UID);
    expect(result.event).toMatchObject({
      kind: 'meeting_ended',
      booking: {
        uid: P.UID,
        bookingId: 1201,
        eventTypeId: 42,
        eventType: null,
        startTime: '2026-12-01T09:00:00.000Z',
        endTime: '2026-12-01T09:30:00.000Z',
        organizer: DANA,
        attendees: [ALEX],
        phone: '+447700900123',
        notes: 'Second floor, ring twice',
        location: '1 Main St, London',
      },
      previousUid: null,
      noShow: null,
      sentAt: null,
    });
  });

  it('reads the nested form the same way, with the envelope send time', () => {
    const flat = event(P.meetingEndedFlat());
    const nested = event(P.meetingEndedNested());
    expect(nested.event).toEqual({ ...flat.event, sentAt: P.SENT_AT });
    expect(nested.dedupKey).toBe(flat.dedupKey);
  });

  it('MEETING_STARTED maps to meeting_started', () => {
    expect(event(P.meetingStartedFlat()).event.kind).toBe('meeting_started');
  });

  it('accepts a row without the optional relations (eventType, user, metadata)', () => {
    const body = P.meetingEndedFlat();
    for (const key of ['eventType', 'user', 'metadata', 'responses']) delete body[key];
    expect(event(body).event.booking).toMatchObject({ uid: P.UID, organizer: null, metadata: {}, eventType: null });
  });

  it('takes the slug from an included eventType relation', () => {
    const body = P.patchPayload(P.meetingEndedFlat(), { eventType: { slug: 'intro-call', bookingFields: [] } });
    expect(event(body).event.booking.eventType).toBe('intro-call');
  });
});

describe('payments', () => {
  it('BOOKING_PAYMENT_INITIATED carries the payment id as text, unpaid', () => {
    expect(event(P.bookingPaymentInitiated()).event).toMatchObject({
      kind: 'payment_initiated',
      payment: { paymentId: '981', paid: false },
      booking: { metadata: { calsyncId: 'apt_77' } },
    });
  });

  it("BOOKING_PAID is paid and does not take Cal.com's payment metadata as the booking's", () => {
    expect(event(P.bookingPaid()).event).toMatchObject({
      kind: 'paid',
      payment: { paymentId: '981', paid: true },
      booking: { metadata: {} },
    });
    expect(event(P.dropPayloadKey(P.bookingPaid(), 'paymentId')).event.payment).toEqual({
      paymentId: null,
      paid: true,
    });
  });
});

describe('legacy BOOKING_CONFIRMED', () => {
  it('maps to confirmed', () => {
    expect(event(P.bookingConfirmedLegacy()).event).toMatchObject({ kind: 'confirmed', booking: { uid: P.UID } });
  });
});

describe('skipped triggers', () => {
  it.each([
    ['PING', P.ping(), 'ping (test delivery)', null],
    ['FORM_SUBMITTED', P.formSubmitted(), 'routing form submissions are not bookings', null],
    ['OOO_CREATED', P.oooCreated(), 'out-of-office entries are not bookings', null],
    ['RECORDING_READY', P.recordingReady(), 'recordings are not tracked', P.UID],
  ])('%s is skipped with a reason', (trigger, body, reason, uid) => {
    const result = skip(body);
    expect(result).toMatchObject({ trigger, skip: reason, bookingUid: uid });
    expect(result.dedupKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a skipped trigger is not validated (an odd shape is still a skip)', () => {
    expect(skip({ triggerEvent: 'PING' }).skip).toBe('ping (test delivery)');
    expect(skip({ triggerEvent: 'OOO_CREATED', payload: 'weird' }).bookingUid).toBeNull();
  });
});

describe('refusals', () => {
  it.each([
    ['an unknown trigger', { triggerEvent: 'BOOKING_COMPLETED', payload: {} }],
    ['a lower-case trigger', { triggerEvent: 'booking_created', payload: {} }],
  ])('%s is unsupported_event', (_name, body) => {
    const result = failure(body);
    expect(result.code).toBe('unsupported_event');
    expect(result.message).toContain(body.triggerEvent);
  });

  it.each([
    ['a missing triggerEvent', { payload: {} }, 'triggerEvent'],
    ['a numeric triggerEvent', { triggerEvent: 7 }, 'triggerEvent'],
    ['a non-object body', false, ''],
    ['an array body', [P.bookingCreated()], ''],
    ['null', null, ''],
  ])('%s is validation_error', (_name, body, path) => {
    const result = failure(body);
    expect(result.code).toBe('validation_error');
    expect(result.issues?.map((i) => i.path)).toEqual([path]);
  });
});

describe('validation errors name the failing field', () => {
  const created = P.bookingCreated;
  it.each<[string, Record<string, unknown>, string]>([
    ['missing uid', P.dropPayloadKey(created(), 'uid'), 'payload.uid'],
    ['blank uid', P.patchPayload(created(), { uid: '  ' }), 'payload.uid'],
    ['numeric uid', P.patchPayload(created(), { uid: 1201 }), 'payload.uid'],
    ['non-numeric string bookingId', P.patchPayload(created(), { bookingId: '12a' }), 'payload.bookingId'],
    ['fractional bookingId', P.patchPayload(created(), { bookingId: 12.5 }), 'payload.bookingId'],
    ['bad startTime', P.patchPayload(created(), { startTime: 'next tuesday' }), 'payload.startTime'],
    ['startTime without an offset', P.patchPayload(created(), { startTime: '2026-12-01T09:00:00' }), 'payload.startTime'],
    ['impossible date', P.patchPayload(created(), { startTime: '2026-02-30T09:00:00Z' }), 'payload.startTime'],
    ['epoch-number startTime', P.patchPayload(created(), { startTime: 1796115600000 }), 'payload.startTime'],
    ['missing startTime', P.dropPayloadKey(created(), 'startTime'), 'payload.startTime'],
    ['missing endTime', P.dropPayloadKey(created(), 'endTime'), 'payload.endTime'],
    ['endTime before startTime', P.patchPayload(created(), { endTime: '2026-12-01T08:59:59Z' }), 'payload.endTime'],
    [
      'endTime before startTime across offsets',
      P.patchPayload(created(), { startTime: '2026-12-01T10:00:00+01:00', endTime: '2026-12-01T08:30:00Z' }),
      'payload.endTime',
    ],
    ['bad organizer email', P.patchPayload(created(), { organizer: { name: 'Dana', email: 'dana' } }), 'payload.organizer.email'],
    ['missing organizer email', P.patchPayload(created(), { organizer: { name: 'Dana' } }), 'payload.organizer.email'],
    ['bad attendee email', P.patchPayload(created(), { attendees: [{ email: 'a@b' }] }), 'payload.attendees.0.email'],
    ['attendees not a list', P.patchPayload(created(), { attendees: 'alex' }), 'payload.attendees'],
    ['numeric title', P.patchPayload(created(), { title: 42 }), 'payload.title'],
    ['numeric location', P.patchPayload(created(), { location: 3 }), 'payload.location'],
    ['responses not an object', P.patchPayload(created(), { responses: 'x' }), 'payload.responses'],
    ['missing payload', { triggerEvent: 'BOOKING_CREATED', createdAt: P.SENT_AT }, 'payload'],
    ['bad envelope createdAt', { ...created(), createdAt: 'yesterday' }, 'createdAt'],
    ['CANCELLED with a string requestReschedule', P.patchPayload(P.bookingCancelled(), { requestReschedule: 'yes' }), 'payload.requestReschedule'],
    ['CANCELLED with a bad startTime', P.patchPayload(P.bookingCancelled(), { startTime: 'soon' }), 'payload.startTime'],
    ['REJECTED without uid', P.dropPayloadKey(P.bookingRejected(), 'uid'), 'payload.uid'],
    ['RESCHEDULED with end before start', P.patchPayload(P.bookingRescheduled(), { endTime: '2026-12-02T13:00:00Z' }), 'payload.endTime'],
    ['NO_SHOW without bookingUid', P.dropPayloadKey(P.bookingNoShowUpdated(), 'bookingUid'), 'payload.bookingUid'],
    ['NO_SHOW with a bad email', P.patchPayload(P.bookingNoShowUpdated(), { attendees: [{ email: 'x', noShow: true }] }), 'payload.attendees.0.email'],
    ['NO_SHOW with a string flag', P.patchPayload(P.bookingNoShowUpdated(), { attendees: [{ email: 'a@b.co', noShow: 'true' }] }), 'payload.attendees.0.noShow'],
    ['flat MEETING_ENDED without uid', { ...P.meetingEndedFlat(), uid: undefined }, 'uid'],
    ['flat MEETING_ENDED with a bad id', { ...P.meetingEndedFlat(), id: 'x' }, 'id'],
    ['nested MEETING_ENDED without uid', P.patchPayload(P.meetingEndedNested(), { uid: null }), 'payload.uid'],
  ])('%s', (_name, body, path) => {
    const result = failure(body);
    expect(result.code).toBe('validation_error');
    expect(result.issues?.map((i) => i.path)).toContain(path);
    expect(result.message).toContain(path);
  });

  it('lists every failing field', () => {
    const body = P.patchPayload(P.bookingCreated(), { uid: '', startTime: 'x', organizer: { email: 'nope' } });
    const paths = failure(body).issues?.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['payload.uid', 'payload.startTime', 'payload.organizer.email']));
  });

  it('says "is required" for an absent field', () => {
    const issue = failure(P.dropPayloadKey(P.bookingCreated(), 'startTime')).issues?.[0];
    expect(issue).toEqual({ path: 'payload.startTime', message: 'is required' });
  });

  it('does not echo a huge unknown trigger name in full', () => {
    const result = failure({ triggerEvent: 'X'.repeat(10_000), payload: {} });
    expect(result.message.length).toBeLessThan(200);
  });
});
