// Snapshots carry the reason and actor of the change they report; meeting events imply an accepted booking.
import { describe, expect, it } from 'vitest';
import { deriveAppointment } from '../../src/appointments/lifecycle.js';
import { event, facts } from './events.js';

describe('snapshot events', () => {
  it('a cancelled snapshot records the cancellation reason and who cancelled', () => {
    const state = deriveAppointment([
      { id: 1, event: event('created', facts('uidA')) },
      { id: 2, event: event('snapshot', facts('uidA'), { snapshotStatus: 'cancelled', reason: 'Changed plans', actor: 'jamie.rivera@example.com' }) },
    ]);
    expect(state).toMatchObject({ status: 'cancelled', cancellationReason: 'Changed plans', cancelledBy: 'jamie.rivera@example.com' });
  });

  it('a rejected snapshot records the rejection reason', () => {
    const state = deriveAppointment([{ id: 1, event: event('snapshot', facts('uidA'), { snapshotStatus: 'rejected', reason: 'Fully booked' }) }]);
    expect(state).toMatchObject({ status: 'rejected', rejectionReason: 'Fully booked' });
  });

  it('an accepted snapshot of a rescheduled booking records the reschedule reason, and one without a link does not', () => {
    const moved = deriveAppointment([
      { id: 1, event: event('created', facts('uidA')) },
      { id: 2, event: event('snapshot', facts('uidB'), { snapshotStatus: 'accepted', previousUid: 'uidA', reason: 'Clash', actor: 'dana@studio.example.com' }) },
    ]);
    expect(moved).toMatchObject({ uid: 'uidB', status: 'accepted', rescheduleReason: 'Clash', rescheduledBy: 'dana@studio.example.com' });
    const plain = deriveAppointment([{ id: 1, event: event('snapshot', facts('uidA'), { snapshotStatus: 'accepted', reason: 'stale' }) }]);
    expect(plain?.rescheduleReason).toBeNull();
  });
});

describe('meeting events', () => {
  it('a MEETING_STARTED for a booking never seen makes an accepted appointment, not a requested one', () => {
    expect(deriveAppointment([{ id: 1, event: event('meeting_started', facts('uidA')) }])?.status).toBe('accepted');
  });

  it('a MEETING_STARTED changes no status that is already settled', () => {
    const cancelled = deriveAppointment([
      { id: 1, event: event('created', facts('uidA')) },
      { id: 2, event: event('cancelled', facts('uidA'), { reason: 'Ill' }) },
      { id: 3, event: event('meeting_started', facts('uidA')) },
    ]);
    expect(cancelled?.status).toBe('cancelled');
  });
});
