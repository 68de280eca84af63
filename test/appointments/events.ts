// DomainEvent builders for the pure lifecycle tests: one booking's facts with plausible defaults, and one
// helper per kind of change Cal.com sends. Every builder returns a fresh object, so tests may mutate it.
import type { KnownEvent } from '../../src/appointments/lifecycle.js';
import { bareBookingFacts } from '../../src/appointments/booking-facts.js';
import type { BookingFacts, DomainEvent, EventKind, Person } from '../../src/appointments/types.js';

export const ORGANIZER: Person = { name: 'Dana Whitfield', email: 'dana@studio.example.com', timeZone: 'Europe/Berlin' };
export const ATTENDEE: Person = { name: 'Jamie Rivera', email: 'jamie.rivera@example.com', timeZone: 'America/New_York' };
export const GUEST: Person = { name: null, email: 'sam.guest@example.net', timeZone: 'America/New_York' };

/** A full booking as BOOKING_CREATED describes it. */
export function facts(uid: string, overrides: Partial<BookingFacts> = {}): BookingFacts {
  return {
    uid,
    bookingId: 4127,
    eventTypeId: 1001,
    eventType: '30min',
    title: '30 Min Meeting between Dana Whitfield and Jamie Rivera',
    startTime: '2031-03-12T14:00:00.000Z',
    endTime: '2031-03-12T14:30:00.000Z',
    organizer: { ...ORGANIZER },
    attendees: [{ ...ATTENDEE }],
    phone: '+15555550123',
    notes: 'Please call first',
    location: 'integrations:daily',
    metadata: { videoCallUrl: `https://app.cal.com/video/${uid}` },
    ...overrides,
  };
}

/** A message that names the booking and nothing else (e.g. `{uid, cancellationReason}`). */
export function bareFacts(uid: string): BookingFacts {
  return bareBookingFacts(uid);
}

export function event(kind: EventKind, booking: BookingFacts, overrides: Partial<DomainEvent> = {}): DomainEvent {
  return {
    kind,
    booking,
    previousUid: null,
    reason: null,
    actor: null,
    requestReschedule: false,
    noShow: null,
    payment: null,
    snapshotStatus: null,
    sentAt: null,
    ...overrides,
  };
}

export const created = (uid: string, sentAt: string, over: Partial<BookingFacts> = {}) => event('created', facts(uid, over), { sentAt });
export const confirmed = (uid: string, sentAt: string, over: Partial<BookingFacts> = {}) => event('confirmed', facts(uid, over), { sentAt });

export const requested = (uid: string, sentAt: string, over: Partial<BookingFacts> = {}) =>
  event('requested', facts(uid, { metadata: {}, ...over }), { sentAt });

/** Real Cal.com order: `uid` is the new booking, `previousUid` the one it replaces. */
export function rescheduled(uid: string, previousUid: string, sentAt: string, over: Partial<BookingFacts> = {}, reason = 'Train delayed'): DomainEvent {
  return event('rescheduled', facts(uid, over), { previousUid, sentAt, reason, actor: ATTENDEE.email });
}

/** A reschedule of an event type that needs confirmation: BOOKING_REQUESTED with a previous uid. */
export function requestedReschedule(uid: string, previousUid: string, sentAt: string, over: Partial<BookingFacts> = {}): DomainEvent {
  return event('requested', facts(uid, { metadata: {}, ...over }), { previousUid, sentAt, reason: 'Need a later slot', actor: ATTENDEE.email });
}

export function cancelled(uid: string, sentAt: string, opts: { requestReschedule?: boolean; partial?: boolean; over?: Partial<BookingFacts> } = {}): DomainEvent {
  const booking = opts.partial ? bareFacts(uid) : facts(uid, { metadata: {}, ...opts.over });
  return event('cancelled', booking, {
    sentAt,
    reason: 'Something came up',
    actor: opts.requestReschedule ? ORGANIZER.email : ATTENDEE.email,
    requestReschedule: opts.requestReschedule ?? false,
  });
}

export const rejected = (uid: string, sentAt: string) => event('rejected', facts(uid, { metadata: {} }), { sentAt, reason: 'Fully booked' });

export const paymentInitiated = (uid: string, sentAt: string) =>
  event('payment_initiated', facts(uid, { metadata: {} }), { sentAt, payment: { paymentId: '981', paid: false } });

/** BOOKING_PAID's metadata is Cal.com's payment bookkeeping; the wire layer empties it. */
export const paid = (uid: string, sentAt: string) => event('paid', facts(uid, { metadata: {} }), { sentAt, payment: { paymentId: '981', paid: true } });

/** Flat MEETING_* bodies carry no send time. */
export const meetingStarted = (uid: string, over: Partial<BookingFacts> = {}) => event('meeting_started', facts(uid, over));
export const meetingEnded = (uid: string, over: Partial<BookingFacts> = {}) => event('meeting_ended', facts(uid, over));

/** `{bookingUid, bookingId, attendees}`: the booking's numeric id is the only other fact it carries. */
export function noShowUpdated(uid: string, sentAt: string, flags: { email: string; noShow: boolean }[], bookingId: number | null = null): DomainEvent {
  return event('no_show_updated', { ...bareFacts(uid), bookingId }, { sentAt, noShow: flags });
}

/** Log rows in the order given: ids are arrival order, as in the event log. */
export function arrived(events: readonly DomainEvent[]): KnownEvent[] {
  return events.map((e, i) => ({ id: i + 1, event: e }));
}

/** Every ordering of `items` (n! of them; keep n small). */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  const out: T[][] = [];
  items.forEach((item, i) => {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const p of permutations(rest)) out.push([item, ...p]);
  });
  return out;
}

/** Send times one minute apart, in the natural order of a scenario. */
export function sendTimes(count: number, from = '2031-03-01T10:00:00.000Z'): string[] {
  const start = Date.parse(from);
  return Array.from({ length: count }, (_, i) => new Date(start + i * 60_000).toISOString());
}
