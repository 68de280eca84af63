import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildCalcomBody,
  calcomWebhookHeaders,
  CALCOM_SUBSCRIBABLE_TRIGGERS,
  legacyRescheduleBody,
  makeBookingUid,
  SAMPLE_TRIGGERS,
  serializeCalcomBody,
  signCalcomBody,
  type SampleOptions,
} from '../../src/calcom/samples.js';

const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/calcom/', import.meta.url));
const BASE58_UID = /^[1-9a-km-zA-HJ-NP-Z]{22}$/;

const FULL: SampleOptions = {
  uid: 'bFJeNb2uX8ANpT3JL5EfXw',
  bookingId: 91,
  eventTypeId: 7,
  startTime: '2031-05-25T09:30:00.000Z',
  endTime: '2031-05-25T10:30:00.000Z',
  createdAt: '2031-05-24T09:30:00.538Z',
  organizer: { name: 'Pro Example', email: 'pro@example.com', timeZone: 'Asia/Kolkata' },
  attendee: { name: 'John Doe', email: 'john.doe@example.com', timeZone: 'Europe/London', phoneNumber: '+447700900123' },
  metadata: { calsync_appointment_id: '12' },
};

type Obj = Record<string, unknown>;
const payloadOf = (body: Obj): Obj => body.payload as Obj;

function hmacHex(key: string, data: string | Buffer): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

describe('SAMPLE_TRIGGERS', () => {
  it('lists every trigger Cal.com sends, plus PING and the legacy BOOKING_CONFIRMED', () => {
    const expected = [
      'BOOKING_CREATED', 'BOOKING_REQUESTED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED', 'BOOKING_REJECTED',
      'BOOKING_PAYMENT_INITIATED', 'BOOKING_PAID', 'BOOKING_NO_SHOW_UPDATED', 'MEETING_STARTED', 'MEETING_ENDED',
      'RECORDING_READY', 'RECORDING_TRANSCRIPTION_GENERATED', 'INSTANT_MEETING', 'INSTANT_MEETING_ACCEPTED',
      'FORM_SUBMITTED', 'FORM_SUBMITTED_NO_EVENT', 'ROUTING_FORM_FALLBACK_HIT', 'OOO_CREATED',
      'AFTER_HOSTS_CAL_VIDEO_NO_SHOW', 'AFTER_GUESTS_CAL_VIDEO_NO_SHOW', 'BOOKING_LOCATION_UPDATED',
      'BOOKING_REASSIGNED', 'PING', 'BOOKING_CONFIRMED',
    ];
    expect(SAMPLE_TRIGGERS).toEqual(expect.arrayContaining(expected));
    expect(new Set(SAMPLE_TRIGGERS).size).toBe(SAMPLE_TRIGGERS.length);
  });

  it('keeps PING and BOOKING_CONFIRMED out of what a webhook can subscribe to', () => {
    expect(CALCOM_SUBSCRIBABLE_TRIGGERS).not.toContain('PING');
    expect(CALCOM_SUBSCRIBABLE_TRIGGERS).not.toContain('BOOKING_CONFIRMED');
    expect(CALCOM_SUBSCRIBABLE_TRIGGERS).toContain('BOOKING_CREATED');
  });

  it.each(SAMPLE_TRIGGERS)('%s builds a JSON-clean body naming its trigger', (trigger) => {
    const body = buildCalcomBody(trigger, FULL);
    expect(body.triggerEvent).toBe(trigger);
    expect(JSON.parse(serializeCalcomBody(body))).toEqual(body);
  });
});

describe('booking envelope', () => {
  it('BOOKING_CREATED carries the real keys, labelled responses and merged metadata', () => {
    const body = buildCalcomBody('BOOKING_CREATED', FULL);
    expect(Object.keys(body)).toEqual(['triggerEvent', 'createdAt', 'payload']);
    expect(body.createdAt).toBe(FULL.createdAt);
    const p = payloadOf(body);
    for (const key of [
      'type', 'title', 'description', 'additionalNotes', 'customInputs', 'startTime', 'endTime', 'organizer',
      'attendees', 'responses', 'userFieldsResponses', 'location', 'destinationCalendar', 'hideCalendarNotes',
      'requiresConfirmation', 'eventTypeId', 'seatsShowAttendees', 'uid', 'iCalUID', 'iCalSequence', 'eventTitle',
      'eventDescription', 'price', 'currency', 'length', 'bookingId', 'metadata', 'status',
    ]) {
      expect(p, key).toHaveProperty(key);
    }
    expect(p).toMatchObject({ uid: FULL.uid, bookingId: 91, eventTypeId: 7, status: 'ACCEPTED', length: 60 });
    expect(p.startTime).toBe('2031-05-25T09:30:00Z');
    expect(p.organizer).toMatchObject({
      name: 'Pro Example',
      email: 'pro@example.com',
      language: { locale: 'en' },
      utcOffset: 330,
    });
    expect((p.attendees as Obj[])[0]).toMatchObject({
      email: 'john.doe@example.com',
      firstName: 'John',
      lastName: 'Doe',
      phoneNumber: '+447700900123',
      utcOffset: 60,
    });
    const r = p.responses as Record<string, Obj>;
    expect(r.name).toEqual({ label: 'your_name', value: 'John Doe', isHidden: false });
    expect(r.email).toEqual({ label: 'email_address', value: 'john.doe@example.com', isHidden: false });
    expect(r.location!.value).toEqual({ value: 'integrations:daily', optionValue: '' });
    expect(r.notes).not.toHaveProperty('value');
    expect(p.metadata).toEqual({
      videoCallUrl: `https://app.cal.com/video/${FULL.uid}`,
      calsync_appointment_id: '12',
    });
  });

  it('puts notes and guests where Cal.com does', () => {
    const p = payloadOf(buildCalcomBody('BOOKING_CREATED', { ...FULL, notes: 'Bring X-rays', guests: ['g@example.com'] }));
    const r = p.responses as Record<string, Obj>;
    expect(r.notes!.value).toBe('Bring X-rays');
    expect(r.guests!.value).toEqual(['g@example.com']);
    expect(p.additionalNotes).toBe('Bring X-rays');
    expect(p.description).toBe('Bring X-rays');
    expect((p.attendees as Obj[]).map((a) => a.email)).toEqual(['john.doe@example.com', 'g@example.com']);
  });

  it('gives plain values with responsesStyle flat', () => {
    const r = payloadOf(buildCalcomBody('BOOKING_CREATED', { ...FULL, notes: 'hi', responsesStyle: 'flat' })).responses as Obj;
    expect(r.name).toBe('John Doe');
    expect(r.email).toBe('john.doe@example.com');
    expect(r.notes).toBe('hi');
  });

  it('sets the status each trigger carries', () => {
    const status = (t: Parameters<typeof buildCalcomBody>[0]): unknown => payloadOf(buildCalcomBody(t, FULL)).status;
    expect(status('BOOKING_REQUESTED')).toBe('PENDING');
    expect(status('BOOKING_CANCELLED')).toBe('CANCELLED');
    expect(status('BOOKING_REJECTED')).toBe('REJECTED');
    expect(status('BOOKING_PAYMENT_INITIATED')).toBe('ACCEPTED');
    expect(status('BOOKING_RESCHEDULED')).toBe('ACCEPTED');
    expect(payloadOf(buildCalcomBody('BOOKING_CREATED', { ...FULL, status: 'PENDING' })).status).toBe('PENDING');
  });

  it('BOOKING_CANCELLED: +00:00 times, who and why, no metadata unless given', () => {
    const { metadata: _m, ...noMeta } = FULL;
    const p = payloadOf(
      buildCalcomBody('BOOKING_CANCELLED', { ...noMeta, cancellationReason: 'Sick', cancelledBy: 'pro@example.com' }),
    );
    expect(p).toMatchObject({
      startTime: '2031-05-25T09:30:00+00:00',
      endTime: '2031-05-25T10:30:00+00:00',
      cancellationReason: 'Sick',
      cancelledBy: 'pro@example.com',
      requestReschedule: false,
      status: 'CANCELLED',
      bookingId: 91,
    });
    expect(p).not.toHaveProperty('metadata');
    expect((p.responses as Record<string, Obj>).name).toEqual({ label: 'name', value: 'John Doe' });
    expect(payloadOf(buildCalcomBody('BOOKING_CANCELLED', { ...FULL, requestReschedule: true })).requestReschedule).toBe(true);
    expect(payloadOf(buildCalcomBody('BOOKING_CANCELLED', FULL)).metadata).toEqual({ calsync_appointment_id: '12' });
  });

  it('BOOKING_REJECTED carries rejectionReason', () => {
    const p = payloadOf(buildCalcomBody('BOOKING_REJECTED', { ...FULL, rejectionReason: 'Busy' }));
    expect(p.rejectionReason).toBe('Busy');
    expect(p.startTime).toBe('2031-05-25T09:30:00.000Z');
  });

  it('payment triggers: paymentId, and BOOKING_PAID replaces metadata with the payment identity', () => {
    const initiated = payloadOf(buildCalcomBody('BOOKING_PAYMENT_INITIATED', { ...FULL, paymentId: 55 }));
    expect(initiated).toMatchObject({ paymentId: 55, status: 'ACCEPTED' });
    const { metadata: _m, ...noMeta } = FULL;
    const paid = payloadOf(buildCalcomBody('BOOKING_PAID', noMeta));
    expect(paid.metadata).toMatchObject({
      identifier: 'cal.com',
      bookingId: 91,
      eventTypeId: 7,
      bookerEmail: 'john.doe@example.com',
      eventTitle: '30 Min Meeting',
    });
    expect((paid.metadata as Obj).externalId).toMatch(/^pi_/);
  });

  it('BOOKING_NO_SHOW_UPDATED has its own small payload', () => {
    const body = buildCalcomBody('BOOKING_NO_SHOW_UPDATED', {
      ...FULL,
      noShow: [{ email: 'john.doe@example.com', noShow: false }],
    });
    expect(body.payload).toEqual({
      message: 'john.doe@example.com unmarked as no-show',
      attendees: [{ email: 'john.doe@example.com', noShow: false }],
      bookingUid: FULL.uid,
      bookingId: 91,
    });
  });

  it('PING has fake people and no booking identity', () => {
    const body = buildCalcomBody('PING', { createdAt: '2031-01-01T00:00:00.000Z' });
    expect(body).toEqual({
      triggerEvent: 'PING',
      createdAt: '2031-01-01T00:00:00.000Z',
      payload: {
        type: 'Test',
        title: 'Test trigger event',
        startTime: '2031-01-01T00:00:00.000Z',
        endTime: '2031-01-01T00:00:00.000Z',
        attendees: [{ email: 'jdoe@example.com', name: 'John Doe', timeZone: 'Europe/London', language: { locale: 'en' } }],
        organizer: { name: 'Cal', email: 'no-reply@cal.com', timeZone: 'Europe/London', language: { locale: 'en' } },
      },
    });
  });

  it('form and OOO bodies have no booking uid', () => {
    for (const t of ['FORM_SUBMITTED', 'FORM_SUBMITTED_NO_EVENT', 'ROUTING_FORM_FALLBACK_HIT', 'OOO_CREATED'] as const) {
      const p = payloadOf(buildCalcomBody(t, FULL));
      expect(p, t).not.toHaveProperty('uid');
    }
    const form = buildCalcomBody('FORM_SUBMITTED', FULL);
    expect(form.Email).toBe('john.doe@example.com');
    expect((payloadOf(form).responses as Record<string, Obj>).Email).toEqual({
      value: 'john.doe@example.com',
      response: 'john.doe@example.com',
    });
  });
});

describe('MEETING_STARTED / MEETING_ENDED', () => {
  it.each(['MEETING_STARTED', 'MEETING_ENDED'] as const)('%s is flat by default: the booking row, no payload', (t) => {
    const body = buildCalcomBody(t, { ...FULL, bookingCreatedAt: '2031-05-20T08:00:00.000Z' });
    expect(body).not.toHaveProperty('payload');
    expect(body).toMatchObject({
      triggerEvent: t,
      id: 91,
      uid: FULL.uid,
      eventTypeId: 7,
      status: 'ACCEPTED',
      paid: false,
      createdAt: '2031-05-20T08:00:00.000Z',
      startTime: '2031-05-25T09:30:00.000Z',
      endTime: '2031-05-25T10:30:00.000Z',
      user: { email: 'pro@example.com' },
    });
    expect(body.responses).toMatchObject({ name: 'John Doe', email: 'john.doe@example.com' });
    expect(body.attendees).toEqual([
      expect.objectContaining({ email: 'john.doe@example.com', bookingId: 91, noShow: false, locale: 'en' }),
    ]);
    expect(body.metadata).toMatchObject({ calsync_appointment_id: '12' });
  });

  it('is nested under payload with a send-time createdAt when asked', () => {
    const body = buildCalcomBody('MEETING_ENDED', { ...FULL, meetingForm: 'nested' });
    expect(Object.keys(body)).toEqual(['triggerEvent', 'createdAt', 'payload']);
    expect(body.createdAt).toBe(FULL.createdAt);
    expect(payloadOf(body)).toMatchObject({ uid: FULL.uid, id: 91 });
    expect(payloadOf(body)).not.toHaveProperty('triggerEvent');
  });
});

describe('reschedule uid order', () => {
  const opts: SampleOptions = {
    ...FULL,
    uid: makeBookingUid('new'),
    bookingId: 92,
    rescheduleUid: makeBookingUid('old'),
    rescheduleId: 91,
    rescheduleStartTime: '2031-05-24T09:30:00.000Z',
    rescheduledBy: 'john.doe@example.com',
  };

  it('real: uid is the NEW booking, rescheduleUid the ORIGINAL', () => {
    const p = payloadOf(buildCalcomBody('BOOKING_RESCHEDULED', opts));
    expect(p).toMatchObject({
      uid: opts.uid,
      bookingId: 92,
      rescheduleUid: opts.rescheduleUid,
      rescheduleId: 91,
      rescheduleStartTime: '2031-05-24T09:30:00Z',
      rescheduleEndTime: '2031-05-24T10:30:00Z',
      rescheduledBy: 'john.doe@example.com',
      status: 'ACCEPTED',
    });
  });

  it('reversed (third-party docs): uid is the ORIGINAL, rescheduleUid the NEW', () => {
    const p = payloadOf(legacyRescheduleBody(opts));
    expect(p).toMatchObject({ uid: opts.rescheduleUid, rescheduleUid: opts.uid, bookingId: 91, rescheduleId: 92 });
    expect(legacyRescheduleBody(opts)).toEqual(buildCalcomBody('BOOKING_RESCHEDULED', { ...opts, uidOrder: 'reversed' }));
  });

  it('a reschedule needing confirmation is BOOKING_REQUESTED with the reschedule fields', () => {
    const p = payloadOf(buildCalcomBody('BOOKING_REQUESTED', opts));
    expect(p).toMatchObject({ uid: opts.uid, rescheduleUid: opts.rescheduleUid, status: 'PENDING' });
    expect(payloadOf(buildCalcomBody('BOOKING_REQUESTED', FULL))).not.toHaveProperty('rescheduleUid');
  });
});

describe('determinism and uids', () => {
  it('gives the same body for the same options', () => {
    expect(buildCalcomBody('BOOKING_CREATED', FULL)).toEqual(buildCalcomBody('BOOKING_CREATED', FULL));
    expect(buildCalcomBody('MEETING_ENDED', FULL)).toEqual(buildCalcomBody('MEETING_ENDED', FULL));
    expect(buildCalcomBody('BOOKING_CREATED', { ...FULL, uid: makeBookingUid('other') })).not.toEqual(
      buildCalcomBody('BOOKING_CREATED', FULL),
    );
  });

  it('derives a stable future slot from the uid when no time is given', () => {
    const a = payloadOf(buildCalcomBody('BOOKING_CREATED', { uid: 'x', createdAt: FULL.createdAt }));
    const b = payloadOf(buildCalcomBody('BOOKING_CREATED', { uid: 'x', createdAt: FULL.createdAt }));
    expect(a.startTime).toBe(b.startTime);
    expect(Date.parse(String(a.startTime))).toBeGreaterThan(Date.now());
    const noUid = payloadOf(buildCalcomBody('BOOKING_CREATED'));
    expect(Date.parse(String(noUid.startTime))).toBeGreaterThan(Date.now());
    expect(String(noUid.uid)).toMatch(BASE58_UID);
  });

  it('makeBookingUid: 22 base58 chars, deterministic from a seed, random without', () => {
    expect(makeBookingUid('seed')).toBe(makeBookingUid('seed'));
    expect(makeBookingUid('seed')).not.toBe(makeBookingUid('seed2'));
    expect(makeBookingUid()).not.toBe(makeBookingUid());
    for (let i = 0; i < 200; i++) expect(makeBookingUid(String(i))).toMatch(BASE58_UID);
  });

  it('rejects an unparseable time instead of emitting Invalid Date', () => {
    expect(() => buildCalcomBody('BOOKING_CREATED', { startTime: 'tomorrow' })).toThrow(/startTime/);
  });
});

describe('signature', () => {
  it('matches a published HMAC-SHA256 test vector', () => {
    expect(signCalcomBody('The quick brown fox jumps over the lazy dog', 'key')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('is lowercase hex over the exact compact body string, and verifies with node:crypto', () => {
    const raw = serializeCalcomBody(buildCalcomBody('OOO_CREATED', FULL));
    expect(raw).not.toContain('\n');
    expect(raw).not.toMatch(/": /);
    const sig = signCalcomBody(raw, 'whsec');
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(sig).toBe(hmacHex('whsec', Buffer.from(raw, 'utf8')));
    expect(signCalcomBody(Buffer.from(raw, 'utf8'), 'whsec')).toBe(sig);
    expect(sig).not.toBe(hmacHex('whsec', JSON.stringify(JSON.parse(raw), null, 2)));
    expect(sig).not.toBe(hmacHex('other', raw));
  });

  it('headers carry the signature, or no-secret-provided without a secret', () => {
    const raw = '{"a":1}';
    expect(calcomWebhookHeaders(raw, 's')['x-cal-signature-256']).toBe(hmacHex('s', raw));
    expect(calcomWebhookHeaders(raw, undefined)['x-cal-signature-256']).toBe('no-secret-provided');
    expect(calcomWebhookHeaders(raw, 's')['content-type']).toBe('application/json');
  });
});

describe('fixtures', () => {
  const files = readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.json'));
  const load = (f: string): Obj => JSON.parse(readFileSync(`${FIXTURES_DIR}${f}`, 'utf8')) as Obj;

  it('has one per trigger plus the named variants', () => {
    for (const t of SAMPLE_TRIGGERS) expect(files, t).toContain(`${t.toLowerCase()}.json`);
    for (const f of [
      'booking_rescheduled.reversed.json',
      'booking_created.flat-responses.json',
      'meeting_ended.nested.json',
      'booking_cancelled.minimal.json',
    ]) {
      expect(files).toContain(f);
    }
  });

  it.each(files)('%s parses and names a known trigger', (f) => {
    const body = load(f);
    expect(typeof body.triggerEvent).toBe('string');
    expect(SAMPLE_TRIGGERS as readonly string[]).toContain(body.triggerEvent);
    expect(f.split('.')[0]).toBe(String(body.triggerEvent).toLowerCase());
  });

  it('tells a consistent reschedule story', () => {
    const created = payloadOf(load('booking_created.json'));
    const moved = payloadOf(load('booking_rescheduled.json'));
    const reversed = payloadOf(load('booking_rescheduled.reversed.json'));
    expect(String(created.uid)).toMatch(BASE58_UID);
    expect(moved.rescheduleUid).toBe(created.uid);
    expect(moved.uid).not.toBe(created.uid);
    expect(reversed.uid).toBe(created.uid);
    expect(reversed.rescheduleUid).toBe(moved.uid);
    expect(payloadOf(load('booking_cancelled.minimal.json'))).toEqual({
      uid: moved.uid,
      cancellationReason: expect.any(String),
    });
  });

  it('keeps MEETING_ENDED flat and its nested variant wrapped', () => {
    expect(load('meeting_ended.json')).not.toHaveProperty('payload');
    expect(load('meeting_ended.json').uid).toMatch(BASE58_UID);
    expect(payloadOf(load('meeting_ended.nested.json')).uid).toBe(load('meeting_ended.json').uid);
  });
});
