import { describe, expect, it } from 'vitest';

import { canonicalJson } from '../../src/calcom/dedup.js';
import { parseDelivery } from '../../src/calcom/parse.js';
import * as P from './payloads.js';

type Json = Record<string, unknown>;

function keyOf(body: unknown): string {
  const result = parseDelivery(body);
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.dedupKey;
}

function withCreatedAt(body: Json, createdAt: string): Json {
  return { ...structuredClone(body), createdAt };
}

/** The same document with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  }
  return value;
}

describe('canonicalJson', () => {
  it.each<[unknown, string]>([
    [{ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }, '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}'],
    [{ a: undefined, b: 'x' }, '{"b":"x"}'],
    [[undefined, 1], '[null,1]'],
    ['é"\n', '"é\\"\\n"'],
    [Number.NaN, 'null'],
    [undefined, 'null'],
  ])('%j → %s', (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });
});

describe('the same change gives the same key', () => {
  it.each<[string, () => Json]>([
    ['BOOKING_CREATED', P.bookingCreated],
    ['BOOKING_RESCHEDULED', P.bookingRescheduled],
    ['BOOKING_CANCELLED', () => P.bookingCancelled(true)],
    ['BOOKING_NO_SHOW_UPDATED', P.bookingNoShowUpdated],
    ['BOOKING_PAID', P.bookingPaid],
    ['MEETING_ENDED (nested)', P.meetingEndedNested],
    ['PING', P.ping],
    ['FORM_SUBMITTED', P.formSubmitted],
    ['OOO_CREATED', P.oooCreated],
  ])('%s: whatever the send time, key order or formatting', (_name, build) => {
    const first = keyOf(build());
    expect(keyOf(withCreatedAt(build(), '2026-11-20T10:16:31.000Z'))).toBe(first);
    expect(keyOf(JSON.parse(JSON.stringify(build(), null, 2)))).toBe(first);
    expect(keyOf(reverseKeys(build()))).toBe(first);
  });

  it('labelled and flat responses', () => {
    expect(keyOf(P.bookingCreatedFlatResponses())).toBe(keyOf(P.bookingCreated()));
  });

  it('flat and nested MEETING_ENDED', () => {
    expect(keyOf(P.meetingEndedNested())).toBe(keyOf(P.meetingEndedFlat()));
  });

  it('a flat MEETING_ENDED whose booking-row createdAt differs (it is not the send time, but ignored anyway)', () => {
    expect(keyOf({ ...P.meetingEndedFlat(), createdAt: '2020-01-01T00:00:00.000Z' })).toBe(keyOf(P.meetingEndedFlat()));
  });

  it('Z and +00:00 spellings of the same time, and upper/lower-case status', () => {
    const a = P.patchPayload(P.bookingCancelled(), { startTime: '2026-12-01T09:00:00Z', status: 'cancelled' });
    expect(keyOf(a)).toBe(keyOf(P.bookingCancelled()));
  });

  it('no-show attendees in another order or case', () => {
    const body = P.patchPayload(P.bookingNoShowUpdated(), {
      attendees: [
        { email: 'alex.guest@example.org', noShow: true },
        { email: 'ZED@example.org', noShow: false },
      ],
    });
    expect(keyOf(body)).toBe(keyOf(P.bookingNoShowUpdated()));
  });

  it('fields that do not identify the change (title, metadata, notes)', () => {
    const body = P.patchPayload(P.bookingCreated(), { title: 'Renamed', metadata: {}, additionalNotes: 'x' });
    expect(keyOf(body)).toBe(keyOf(P.bookingCreated()));
  });
});

describe('a different change gives a different key', () => {
  const base = keyOf(P.bookingCreated());
  it.each<[string, Json]>([
    ['startTime', P.patchPayload(P.bookingCreated(), { startTime: '2026-12-01T09:15:00Z' })],
    ['endTime', P.patchPayload(P.bookingCreated(), { endTime: '2026-12-01T10:00:00Z' })],
    ['status', P.patchPayload(P.bookingCreated(), { status: 'PENDING' })],
    ['uid', P.patchPayload(P.bookingCreated(), { uid: P.NEW_UID })],
    ['bookingId', P.patchPayload(P.bookingCreated(), { bookingId: 1202 })],
    ['trigger', { ...P.bookingCreated(), triggerEvent: 'BOOKING_CONFIRMED' }],
    ['previous uid', P.patchPayload(P.bookingCreated(), { rescheduleUid: 'other' })],
    ['attendees (a different seat)', P.patchPayload(P.bookingCreated(), { attendees: [{ email: 'seat2@example.org' }] })],
  ])('%s', (_name, body) => {
    expect(keyOf(body)).not.toBe(base);
  });

  it.each<[string, Json, Json]>([
    ['cancellation reason', P.bookingCancelled(), P.patchPayload(P.bookingCancelled(), { cancellationReason: 'Other' })],
    ['cancelled by', P.bookingCancelled(), P.patchPayload(P.bookingCancelled(), { cancelledBy: 'alex.guest@example.org' })],
    ['requestReschedule', P.bookingCancelled(false), P.bookingCancelled(true)],
    [
      'a no-show flag',
      P.bookingNoShowUpdated(),
      P.patchPayload(P.bookingNoShowUpdated(), {
        attendees: [
          { email: 'zed@example.org', noShow: true },
          { email: 'alex.guest@example.org', noShow: true },
        ],
      }),
    ],
    ['paymentId', P.bookingPaymentInitiated(), P.patchPayload(P.bookingPaymentInitiated(), { paymentId: 982 })],
    ['MEETING_STARTED vs ENDED', P.meetingStartedFlat(), P.meetingEndedFlat()],
    ['a PING payload', P.ping(), P.patchPayload(P.ping(), { startTime: '2026-11-21T10:15:30.000Z' })],
    ['a form submission', P.formSubmitted(), P.patchPayload(P.formSubmitted(), { responses: { Topic: { value: 'Support' } } })],
  ])('%s', (_name, a, b) => {
    expect(keyOf(b)).not.toBe(keyOf(a));
  });
});
