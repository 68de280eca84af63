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

describe('keys stay what earlier versions stored', () => {
  // Keys are compared with the dedup_key of events stored by earlier versions, so their text must never
  // change, whatever the code that builds them (computed with canonicalJson before it was optimised).
  it.each<[string, () => Json, string]>([
    ['BOOKING_CREATED', P.bookingCreated, '164f044e21f8068f11b18262da70ceee2609b80188fb3a1580bdfd3ba9433203'],
    ['BOOKING_RESCHEDULED', P.bookingRescheduled, 'fd9cbc778d7ce4ee0ff4dc8bc9c58ad9c44691a3688cea2389b8ce3523da35c2'],
    ['BOOKING_CANCELLED (request reschedule)', P.bookingRequestedReschedule, 'b786917e2e8b1dd3cffb2d5be263516a6554104b87ed3333e4e4eebfe3a8755f'],
    ['BOOKING_REJECTED', P.bookingRejected, '69bcb93a73bfddc8a09e1512fbd156dabaac1d61f808ca5db4787bb1ac315cbd'],
    ['BOOKING_NO_SHOW_UPDATED', P.bookingNoShowUpdated, 'd9fefd8d1a59b82648218d04fc1d202d69b635241b38058309d5524fb9c86874'],
    ['BOOKING_PAID', P.bookingPaid, '2c2d0519b0bb550de0960bb8eda2f9c65ff0f86e826b533ff4ab213655e85bf7'],
    ['MEETING_ENDED (flat)', P.meetingEndedFlat, '53cc2b105f7c49ee5082103f7ee27b0b77309fc65be4466cd1e13d18bea892fc'],
    ['PING', P.ping, '0d36b194202be08efb6637c2811b2dd30f8bacf10068c885a7ede4efd3d85485'],
    ['FORM_SUBMITTED', P.formSubmitted, 'db4c7380b922b92fd6c1af371889664cf52282ecd88cecab0a11c0230d5e8a59'],
  ])('%s', (_name, build, key) => {
    expect(keyOf(build())).toBe(key);
  });
});
