// Seated slots and recurring series in the pure fold: seats add up under one booking uid, a seat's
// cancellation removes only its attendee (the last one cancels the slot), in any arrival order; a recurring
// occurrence keeps its series id.
import { describe, expect, it } from 'vitest';
import { deriveAppointment } from '../../src/appointments/lifecycle.js';
import type { Person } from '../../src/appointments/types.js';
import { arrived, ATTENDEE, cancelled, created, facts, permutations, sendTimes } from './events.js';

const UID = 'seatedSlotUid000000001';
const PRIYA: Person = { name: 'Priya Natarajan', email: 'priya.n@example.com', timeZone: 'Asia/Kolkata' };
const LEE: Person = { name: 'Lee Park', email: 'lee.park@example.com', timeZone: 'Asia/Seoul' };
const [t1, t2, t3, t4] = sendTimes(4) as [string, string, string, string];

const seat = (who: Person, at: string) => created(UID, at, { attendees: [who], seated: true });
const seatCancelled = (who: Person, at: string) => cancelled(UID, at, { over: { attendees: [who], seated: true } });

describe('seated slots', () => {
  it('adds the seats up, whatever order they arrive in', () => {
    const events = [seat(ATTENDEE, t1), seat(PRIYA, t2), seat(LEE, t3)];
    for (const order of permutations(events)) {
      const state = deriveAppointment(arrived(order));
      expect(state?.attendees.map((a) => a.email).sort()).toEqual([ATTENDEE.email, LEE.email, PRIYA.email].sort());
      expect(state?.status).toBe('accepted');
    }
  });

  it("removes only a cancelled seat's attendee; the slot stays accepted", () => {
    for (const order of permutations([seat(ATTENDEE, t1), seat(PRIYA, t2), seatCancelled(PRIYA, t3)])) {
      const state = deriveAppointment(arrived(order));
      expect(state?.status).toBe('accepted');
      expect(state?.attendees.map((a) => a.email)).toEqual([ATTENDEE.email]);
      expect(state?.cancellationReason).toBeNull();
    }
  });

  it('cancels the slot when its last seat is cancelled', () => {
    const state = deriveAppointment(arrived([seat(ATTENDEE, t1), seat(PRIYA, t2), seatCancelled(PRIYA, t3), seatCancelled(ATTENDEE, t4)]));
    expect(state?.status).toBe('cancelled');
  });

  it('still lets an ordinary booking replace its attendee list, and cancel as a whole', () => {
    const state = deriveAppointment(arrived([created(UID, t1, { attendees: [ATTENDEE] }), created(UID, t2, { attendees: [PRIYA] })]));
    expect(state?.attendees.map((a) => a.email)).toEqual([PRIYA.email]);
    const gone = deriveAppointment(arrived([created(UID, t1, { attendees: [ATTENDEE, PRIYA] }), cancelled(UID, t2, { over: { attendees: [PRIYA] } })]));
    expect(gone?.status).toBe('cancelled');
  });
});

describe('recurring occurrences', () => {
  it('keep the series id they were told, and a later message that does not say keeps it', () => {
    const series = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
    const state = deriveAppointment(arrived([created(UID, t1, { recurringEventId: series }), cancelled(UID, t2, { partial: true })]));
    expect(state?.recurringEventId).toBe(series);
    expect(deriveAppointment(arrived([created(UID, t1, facts(UID))]))?.recurringEventId).toBeNull();
  });
});
