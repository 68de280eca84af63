// How an incoming event finds the appointment it belongs to, beyond its own uid.
import type { DomainEvent } from './types.js';

/** Metadata keys that carry our own appointment id on bookings calsync created (askpro_ for an older gateway). */
export const OWN_ID_METADATA_KEYS = ['calsync_appointment_id', 'askpro_appointment_id'] as const;

/** The calsync appointment id a booking's metadata names, if any (Cal.com metadata values are strings). */
export function ownAppointmentIdOf(metadata: Record<string, unknown>): number | null {
  for (const key of OWN_ID_METADATA_KEYS) {
    const raw = metadata[key];
    const id = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (Number.isSafeInteger(id) && id > 0) return id;
  }
  return null;
}

/**
 * Real Cal.com sends a reschedule with the NEW uid as `uid` and the original as `rescheduleUid`; older
 * third-party docs show the reverse. When the event's `uid` is a booking we know and its `rescheduleUid` is
 * not, the message can only be the reversed form, so we turn it around before it is stored.
 */
export function orientReschedule(event: DomainEvent, isKnownUid: (uid: string) => boolean): DomainEvent {
  const previous = event.previousUid;
  if (!previous || (event.kind !== 'rescheduled' && event.kind !== 'requested')) return event;
  if (isKnownUid(event.booking.uid) && !isKnownUid(previous)) {
    return { ...event, previousUid: event.booking.uid, booking: { ...event.booking, uid: previous } };
  }
  return event;
}

/** The uids an event speaks of: its own and the one it was rescheduled from. */
export function uidsOf(event: DomainEvent): string[] {
  return event.previousUid && event.previousUid !== event.booking.uid ? [event.booking.uid, event.previousUid] : [event.booking.uid];
}
