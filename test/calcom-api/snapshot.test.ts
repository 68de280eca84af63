// The API booking → snapshot mapping, on bookings shaped as Cal.com API v2 (2024-08-13) returns them.
import { describe, expect, it } from 'vitest';
import { bookingSnapshot, snapshotDedupKey, snapshotFromStoredBody } from '../../src/calcom/api/snapshot.js';
import { apiBookingSchema } from '../../src/calcom/api/schemas.js';

const BASE = {
  id: 4127,
  uid: '3TuqHTQaDsZamFUC8T3tf9',
  title: '30 Min Meeting between Dana Whitfield and Jamie Rivera',
  description: 'Wants to talk about sleep',
  hosts: [{ id: 7, name: 'Dana Whitfield', email: 'Dana@Studio.example.com', username: 'dana', timeZone: 'Europe/Berlin' }],
  status: 'accepted',
  start: '2031-03-12T14:00:00.000Z',
  end: '2031-03-12T14:30:00.000Z',
  duration: 30,
  eventTypeId: 1201,
  eventType: { id: 1201, slug: '30min' },
  meetingUrl: 'https://app.cal.com/video/3TuqHTQaDsZamFUC8T3tf9',
  location: 'https://app.cal.com/video/3TuqHTQaDsZamFUC8T3tf9',
  createdAt: '2031-03-01T09:15:40.000Z',
  updatedAt: '2031-03-01T09:15:40.000Z',
  metadata: { calsync_appointment_id: '12', source: 'calsync' },
  attendees: [
    { name: 'Jamie Rivera', email: 'jamie.rivera@example.com', timeZone: 'America/New_York', phoneNumber: '+12025550143', language: 'en', absent: false },
    { name: '', email: 'guest@example.com', timeZone: 'America/New_York', language: 'en', absent: false },
  ],
  bookingFieldsResponses: { name: 'Jamie Rivera', email: 'jamie.rivera@example.com', guests: ['guest@example.com'] },
};

const parse = (b: unknown) => apiBookingSchema.parse(b);

describe('bookingSnapshot', () => {
  it('maps a booking into the domain vocabulary', () => {
    const event = bookingSnapshot(parse(BASE));
    expect(event).toMatchObject({ kind: 'snapshot', snapshotStatus: 'accepted', previousUid: null, reason: null, actor: null, sentAt: BASE.updatedAt });
    expect(event.booking).toEqual({
      uid: BASE.uid,
      bookingId: 4127,
      eventTypeId: 1201,
      eventType: '30min',
      title: BASE.title,
      startTime: BASE.start,
      endTime: BASE.end,
      organizer: { name: 'Dana Whitfield', email: 'dana@studio.example.com', timeZone: 'Europe/Berlin' },
      attendees: [
        { name: 'Jamie Rivera', email: 'jamie.rivera@example.com', timeZone: 'America/New_York' },
        { name: null, email: 'guest@example.com', timeZone: 'America/New_York' },
      ],
      phone: '+12025550143',
      notes: 'Wants to talk about sleep',
      // The meeting link stands for the video app, which webhooks name (`integrations:daily`): left unknown.
      location: null,
      metadata: { calsync_appointment_id: '12', source: 'calsync' },
    });
  });

  it('keeps a real location, and reads times with an offset as UTC', () => {
    const event = bookingSnapshot(parse({ ...BASE, location: 'Studio 4, Main St', start: '2031-03-12T15:00:00+01:00' }));
    expect(event.booking.location).toBe('Studio 4, Main St');
    expect(event.booking.startTime).toBe('2031-03-12T14:00:00.000Z');
  });

  it.each([
    ['pending', 'pending'],
    ['CANCELLED', 'cancelled'],
    ['rejected', 'rejected'],
  ])('reads status %s as %s', (status, expected) => {
    expect(bookingSnapshot(parse({ ...BASE, status })).snapshotStatus).toBe(expected);
  });

  it('carries the cancellation reason and who cancelled', () => {
    const event = bookingSnapshot(parse({ ...BASE, status: 'cancelled', cancellationReason: 'Sick', cancelledByEmail: 'Jamie.Rivera@example.com' }));
    expect(event).toMatchObject({ reason: 'Sick', actor: 'jamie.rivera@example.com' });
  });

  it('links a rescheduled booking to the one it replaced', () => {
    const event = bookingSnapshot(
      parse({ ...BASE, uid: 'new-uid', rescheduledFromUid: BASE.uid, reschedulingReason: 'Clash', rescheduledByEmail: 'dana@studio.example.com' }),
    );
    expect(event).toMatchObject({ previousUid: BASE.uid, reason: 'Clash', actor: 'dana@studio.example.com' });
  });

  it('refuses a booking without the fields calsync reads', () => {
    expect(apiBookingSchema.safeParse({ ...BASE, start: 'soon' }).success).toBe(false);
    expect(apiBookingSchema.safeParse({ ...BASE, status: 'exploded' }).success).toBe(false);
    expect(apiBookingSchema.safeParse({ ...BASE, uid: undefined }).success).toBe(false);
  });
});

describe('snapshotDedupKey', () => {
  it('is the same for the same content, and differs when anything Cal.com reports changes', () => {
    const key = snapshotDedupKey(bookingSnapshot(parse(BASE)));
    expect(snapshotDedupKey(bookingSnapshot(parse({ ...BASE, attendees: [...BASE.attendees] })))).toBe(key);
    expect(snapshotDedupKey(bookingSnapshot(parse({ ...BASE, status: 'cancelled' })))).not.toBe(key);
    expect(snapshotDedupKey(bookingSnapshot(parse({ ...BASE, updatedAt: '2031-03-02T00:00:00.000Z' })))).not.toBe(key);
    expect(snapshotDedupKey(bookingSnapshot(parse({ ...BASE, title: 'Renamed' })))).not.toBe(key);
  });
});

describe('snapshotFromStoredBody', () => {
  it('rebuilds the snapshot from what the event log keeps', () => {
    const booking = parse(BASE);
    expect(snapshotFromStoredBody(JSON.stringify(booking))).toEqual(bookingSnapshot(booking));
    expect(snapshotFromStoredBody('{"triggerEvent":"PING"}')).toBeNull();
    expect(snapshotFromStoredBody('not json')).toBeNull();
  });
});
