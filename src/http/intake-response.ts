// How the ways into intake over HTTP (the webhook, the notion-handler API) answer an intake outcome: 200
// with what happened, or 404 booking_not_found for a parked event (kept, applied when its booking arrives).
import { CalsyncError } from '../errors.js';
import type { IntakeOutcome } from '../intake/record-event.js';

export function intakeStatusCode(outcome: IntakeOutcome): number {
  return outcome.status === 'parked' ? parkedError(outcome).status : 200;
}

export function intakeResponse(outcome: IntakeOutcome) {
  const dup = outcome.duplicate ? { duplicate: true } : {};
  switch (outcome.status) {
    case 'processed':
      return { status: 'processed', appointment_id: outcome.appointmentId, action: outcome.action, event_id: outcome.eventId, ...dup };
    case 'skipped':
      return { status: 'skipped', reason: outcome.reason, event_id: outcome.eventId, ...dup };
    case 'parked':
      return { ...parkedError(outcome).toBody(), event_id: outcome.eventId };
  }
}

function parkedError(outcome: Extract<IntakeOutcome, { status: 'parked' }>): CalsyncError {
  return new CalsyncError(
    'booking_not_found',
    `Booking ${outcome.bookingUid} is unknown and this event cannot build it; it is kept (event ${outcome.eventId}) and applied when the booking arrives`,
  );
}
