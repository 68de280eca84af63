// Known Cal.com behaviours, through the real server on both stores (issue 13):
// - a reschedule through POST /v2/bookings/{uid}/reschedule of an event type that needs confirmation fires
//   BOOKING_REQUESTED (with rescheduleUid) instead of BOOKING_RESCHEDULED: it is linked as a reschedule;
// - the host's "Request reschedule" sends BOOKING_CANCELLED with requestReschedule and rescheduledToUid null:
//   the appointment shows cancelled with request_reschedule true until the attendee's new booking (with
//   rescheduleUid = the old uid) arrives and continues the same appointment;
// - recurring bookings: one appointment per occurrence, grouped by recurring_event_id (and filterable);
// - seated events: every seat is an attendee of ONE booking uid: one appointment whose attendees add up, a
//   seat's cancellation removes only that attendee, and seats are never conflicts of each other.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { STORE_KINDS } from '../support/stores.js';
import { apiJson, useSubscribedRig } from './harness.js';

const fixture = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../fixtures/calcom/${name}.json`, import.meta.url), 'utf8')) as Record<string, any>;
const ATTENDEE = { name: 'Mary Jackson', email: 'mary@example.com', timeZone: 'America/New_York' };

describe.each(STORE_KINDS)('Cal.com quirks (%s)', (kind) => {
  const rig = useSubscribedRig(kind);

  async function byUid(uid: string): Promise<any[]> {
    const res = await apiJson(rig.server, `/api/appointments?calcom_uid=${uid}`);
    expect(res.status).toBe(200);
    return res.body.appointments as any[];
  }

  async function send(body: Record<string, unknown>): Promise<any> {
    const res = await rig.server.sendWebhook(body);
    expect(res.status).toBe(200);
    return res.json();
  }

  it('links an API reschedule announced as BOOKING_REQUESTED to the original appointment', async () => {
    const calcom = rig.calcom;
    const original = calcom.createBookingDirect({ eventTypeId: 1202, start: '2031-07-01T09:00:00Z', attendee: ATTENDEE });
    calcom.confirmBooking(original.uid);
    await calcom.flushDeliveries();
    const [before] = await byUid(original.uid);
    expect(before.status).toBe('accepted');

    const res = await fetch(`${calcom.url}/v2/bookings/${original.uid}/reschedule`, {
      method: 'POST',
      headers: { authorization: `Bearer ${calcom.apiKey}`, 'cal-api-version': '2024-08-13', 'content-type': 'application/json' },
      body: JSON.stringify({ start: '2031-07-02T14:00:00Z', reschedulingReason: 'Dentist' }),
    });
    expect(res.status).toBe(201);
    const moved = ((await res.json()) as { data: { uid: string } }).data;
    await calcom.flushDeliveries();
    const delivery = calcom.deliveries.at(-1)!;
    expect(delivery).toMatchObject({ trigger: 'BOOKING_REQUESTED', bookingUid: moved.uid, status: 200 });
    expect(JSON.parse(delivery.body).payload.rescheduleUid).toBe(original.uid);

    const [after] = await byUid(moved.uid);
    expect(after).toMatchObject({
      id: before.id,
      calcom_booking_uid: moved.uid,
      previous_uids: [original.uid],
      status: 'requested',
      start_time: '2031-07-02T14:00:00.000Z',
      reschedule_reason: 'Dentist',
    });
    expect((await byUid(original.uid))[0].id).toBe(before.id);
    const events = await apiJson(rig.server, `/api/events?appointment_id=${before.id}`);
    expect(events.body.events[0]).toMatchObject({ trigger: 'BOOKING_REQUESTED', action: 'rescheduled' });

    // The host confirms the moved booking: the same appointment is accepted.
    calcom.confirmBooking(moved.uid);
    await calcom.flushDeliveries();
    expect((await byUid(moved.uid))[0]).toMatchObject({ id: before.id, status: 'accepted' });
  });

  it("shows a host's request to reschedule as waiting, then continues the appointment with the attendee's new booking", async () => {
    const created = await send(fixture('booking_created'));
    const requested = await send(fixture('booking_cancelled.request-reschedule'));
    expect(requested).toMatchObject({ appointment_id: created.appointment_id, action: 'cancelled' });
    const oldUid = fixture('booking_created').payload.uid as string;
    const [waiting] = await byUid(oldUid);
    expect(waiting).toMatchObject({
      status: 'cancelled',
      request_reschedule: true,
      cancelled_by: 'dana@studio.example.com',
      cancellation_reason: 'Sorry, I have to move this - please pick a new time',
    });

    // Days later the attendee picks a new time: a new booking whose rescheduleUid is the old uid.
    const newUid = makeBookingUid('quirks:after-request-reschedule');
    const rebooked = await send(
      buildCalcomBody('BOOKING_RESCHEDULED', {
        uid: newUid,
        rescheduleUid: oldUid,
        startTime: '2031-03-19T15:00:00Z',
        lengthInMinutes: 30,
        createdAt: '2031-03-05T12:00:00.000Z',
      }),
    );
    expect(rebooked).toMatchObject({ appointment_id: created.appointment_id, action: 'rescheduled' });
    const [continued] = await byUid(newUid);
    expect(continued).toMatchObject({
      id: created.appointment_id,
      calcom_booking_uid: newUid,
      previous_uids: [oldUid],
      status: 'accepted',
      request_reschedule: false,
      cancellation_reason: null,
      start_time: '2031-03-19T15:00:00.000Z',
    });
  });

  it('keeps one appointment per occurrence of a recurring booking, grouped by recurring_event_id', async () => {
    const first = await send(fixture('booking_created.recurring-1'));
    const second = await send(fixture('booking_created.recurring-2'));
    expect(first.appointment_id).not.toBe(second.appointment_id);
    const series = fixture('booking_created.recurring-1').payload.recurringEventId as string;
    const listed = await apiJson(rig.server, `/api/appointments?recurring_event_id=${series}`);
    expect(listed.status).toBe(200);
    expect(listed.body.appointments.map((a: any) => a.id).sort()).toEqual([first.appointment_id, second.appointment_id].sort());
    for (const a of listed.body.appointments) expect(a).toMatchObject({ recurring_event_id: series, status: 'accepted', conflict: false });
    const one = await apiJson(rig.server, `/api/appointments/${first.appointment_id}`);
    expect(one.body.recurring_event_id).toBe(series);
    // An ordinary booking belongs to no series.
    const plain = await apiJson(rig.server, `/api/appointments?calcom_uid=${fixture('booking_created').payload.uid}`);
    expect(plain.body.appointments[0].recurring_event_id).toBeNull();
    expect((await apiJson(rig.server, '/api/appointments?recurring_event_id=no-such-series')).body.appointments).toEqual([]);
    expect((await apiJson(rig.server, `/api/appointments?recurring_event_id=${'x'.repeat(101)}`)).status).toBe(422);
  });

  it('adds up the seats of a seated slot in one appointment, removes a cancelled seat, and never flags seats as conflicts', async () => {
    const one = await send(fixture('booking_created.seat-1'));
    const two = await send(fixture('booking_created.seat-2'));
    expect(two.appointment_id).toBe(one.appointment_id);
    const uid = fixture('booking_created.seat-1').payload.uid as string;
    const [slot] = await byUid(uid);
    expect(slot.attendees.map((a: any) => a.email)).toEqual(['jamie.rivera@example.com', 'priya.n@example.com']);
    expect(slot).toMatchObject({ status: 'accepted', conflict: false });

    const cancelled = await send(fixture('booking_cancelled.seat-2'));
    expect(cancelled.appointment_id).toBe(one.appointment_id);
    const [after] = await byUid(uid);
    expect(after).toMatchObject({ status: 'accepted', conflict: false, cancellation_reason: null });
    expect(after.attendees.map((a: any) => a.email)).toEqual(['jamie.rivera@example.com']);
    expect(after.version).toBeGreaterThan(slot.version);

    // Another booking of the same host at that time is a real conflict, still flagged.
    const other = await send(
      buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid('quirks:overlap'), startTime: '2031-03-20T16:30:00Z', lengthInMinutes: 30, createdAt: '2031-03-09T10:00:00.000Z' }),
    );
    expect((await apiJson(rig.server, `/api/appointments/${other.appointment_id}`)).body.conflict).toBe(true);
    expect((await byUid(uid))[0].conflict).toBe(true);

    // The last seat cancels: the slot is cancelled.
    const last = buildCalcomBody('BOOKING_CANCELLED', {
      uid,
      bookingId: 4201,
      seatsPerTimeSlot: 6,
      startTime: '2031-03-20T16:00:00Z',
      endTime: '2031-03-20T17:30:00Z',
      createdAt: '2031-03-10T07:00:00.000Z',
      cancellationReason: 'Sick',
    });
    await send(last);
    expect((await byUid(uid))[0]).toMatchObject({ status: 'cancelled', cancellation_reason: 'Sick' });
  });
});
