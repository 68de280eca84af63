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

/** What calsync already holds about the uids of a reschedule message, for `orientReschedule`. */
export interface KnownUids {
  isKnown(uid: string): boolean;
  /** Reschedule links already stored, new uid -> the uid it replaced (from the known appointments' events). */
  predecessors: ReadonlyMap<string, string>;
  /** The times held for `uid` when it is an appointment's current uid; null otherwise. */
  currentTimesOf(uid: string): { startTime: string | null; endTime: string | null } | null;
}

/**
 * Real Cal.com sends a reschedule with the NEW uid as `uid` and the original as `rescheduleUid`; older
 * third-party docs show the reverse. The message is turned around, before it is stored, only when the
 * reversed reading is the one that fits what is known:
 * - a chain never forks, so a reading that gives a uid a second predecessor or successor is wrong;
 * - when both readings fit, the message carries the NEW booking's times: if they are the ones held for
 *   `uid`, it is the real order; if they are those held for `rescheduleUid`, or `uid` is a booking held at
 *   other times and `rescheduleUid` is unknown, it is reversed.
 * (Fix: this used to flip whenever `uid` was known and `rescheduleUid` was not, which also flipped real
 * messages whose new uid was already known from a later event, e.g. a chain delivered newest first.)
 */
export function orientReschedule(event: DomainEvent, known: KnownUids): DomainEvent {
  const previous = event.previousUid;
  const uid = event.booking.uid;
  if (!previous || previous === uid || (event.kind !== 'rescheduled' && event.kind !== 'requested')) return event;
  if (!known.isKnown(uid)) return event;

  const successors = new Map<string, string>();
  for (const [next, prev] of known.predecessors) successors.set(prev, next);
  const fits = (older: string, newer: string) =>
    (known.predecessors.get(newer) ?? older) === older && (successors.get(older) ?? newer) === newer;
  const realFits = fits(previous, uid);
  const reversedFits = fits(uid, previous);
  if (reversedFits && !realFits) return reversed(event, previous);
  if (!reversedFits) return event;

  // Both readings fit: the message describes the booking whose times it carries.
  const describes = (u: string) => {
    const held = known.currentTimesOf(u);
    return held !== null && held.startTime === event.booking.startTime && held.endTime === event.booking.endTime;
  };
  if (describes(uid)) return event;
  if (describes(previous)) return reversed(event, previous);
  return !known.isKnown(previous) && known.currentTimesOf(uid) !== null ? reversed(event, previous) : event;
}

function reversed(event: DomainEvent, previous: string): DomainEvent {
  return { ...event, previousUid: event.booking.uid, booking: { ...event.booking, uid: previous } };
}

/** The uids an event speaks of: its own and the one it was rescheduled from. */
export function uidsOf(event: DomainEvent): string[] {
  return event.previousUid && event.previousUid !== event.booking.uid ? [event.booking.uid, event.previousUid] : [event.booking.uid];
}
