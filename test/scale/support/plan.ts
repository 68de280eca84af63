// The traffic of the scale test: bookings of a few dozen clients with a few organizers; some rescheduled
// (a new uid), some cancelled (the current uid), all in the shapes the kill -9 test checks the store with
// (`../../faults/kill9/`). Then the deliveries: every event once, some bookings' events sent in reverse
// (a cancellation or reschedule before its creation), and duplicates (the same bytes, or a Cal.com retry
// with a new createdAt) aimed at another instance than the first copy, some right next to it so both are
// in flight together. Deterministic from the seed.
import { buildCalcomBody, makeBookingUid } from '../../../src/calcom/samples.js';
import type { Booking, Kind, LogicalEvent } from '../../faults/kill9/burst.js';
import type { Random } from '../../faults/seeded-random.js';

const SLOT_MS = 30 * 60_000;
const SLOT_EPOCH_MS = Date.UTC(2035, 0, 7, 8);
/** Cal.com stamps createdAt at send time: created, then an hour later the reschedule, then the cancellation. */
const SENT_EPOCH_MS = Date.UTC(2035, 0, 1);
const SENT_STEP_MS = 60 * 60_000;
/** A later event of a booking comes this many bookings' worth of traffic after the earlier one, at most. */
const FOLLOW_UP_SPREAD = 40;
/** A duplicate follows its first copy within this many deliveries (0: side by side, both in flight). */
const DUPLICATE_SPREAD = 30;

export interface ScaleOptions {
  deliveries: number;
  bookings: number;
  clients: number;
  organizers: number;
  instances: number;
  rescheduleShare: number;
  cancelShare: number;
  /** Share of bookings with two or more events whose events are sent last-first. */
  reverseShare: number;
  /** Share of duplicates that are a Cal.com retry (new createdAt) rather than the same bytes. */
  retryShare: number;
}

export interface ScaleBooking extends Booking {
  /** The client's email as the sink files it (trimmed, lower-cased). */
  clientEmail: string;
  endTime: string;
  /** Where the booking ends up: the reschedule's times when there is one. */
  finalUid: string;
  finalStart: string;
  finalEnd: string;
}

export interface ScaleDelivery {
  n: number;
  event: LogicalEvent;
  raw: string;
  /** The instance the round-robin sends it to (another one when that instance is dead). */
  target: number;
  duplicate: boolean;
}

export interface ScalePlan {
  bookings: ScaleBooking[];
  events: LogicalEvent[];
  deliveries: ScaleDelivery[];
  clientEmails: Set<string>;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const triggerOf: Record<Kind, LogicalEvent['trigger']> = { created: 'BOOKING_CREATED', rescheduled: 'BOOKING_RESCHEDULED', cancelled: 'BOOKING_CANCELLED' };
const rankOf: Record<Kind, number> = { created: 0, rescheduled: 1, cancelled: 2 };

export function planScale(label: string, options: ScaleOptions, random: Random): ScalePlan {
  const run = makeBookingUid(label).slice(0, 8).toLowerCase();
  const bookings: ScaleBooking[] = [];
  const events: LogicalEvent[] = [];
  const clientEmails = new Set<string>();
  // Sort keys: a booking's first event at its index, later ones some bookings' worth of traffic after.
  const keyed: { key: number; event: LogicalEvent }[] = [];

  for (let i = 0; i < options.bookings; i++) {
    const client = random.int(0, options.clients - 1);
    const organizer = i % options.organizers;
    const clientEmail = `client${client}.${run}@example.com`;
    clientEmails.add(clientEmail);
    // Some bookers type their address with capitals: still the same client.
    const sentEmail = random.next() < 0.2 ? `Client${client}.${run}@Example.COM` : clientEmail;
    const people = {
      attendee: { name: `Client ${client}`, email: sentEmail, timeZone: 'Europe/Berlin' },
      organizer: { name: `Coach ${organizer}`, email: `coach${organizer}.${run}@example.com`, timeZone: 'Europe/London' },
    };
    const uid = makeBookingUid(`${label}:b${i}`);
    const start = SLOT_EPOCH_MS + 2 * i * SLOT_MS;
    const times = { startTime: iso(start), endTime: iso(start + SLOT_MS) };
    const moved = random.next() < options.rescheduleShare ? { uid: makeBookingUid(`${label}:b${i}:moved`), start: start + SLOT_MS } : null;
    const cancelled = random.next() < options.cancelShare;
    const finalTimes = moved ? { startTime: iso(moved.start), endTime: iso(moved.start + SLOT_MS) } : times;
    const booking: ScaleBooking = {
      uid,
      rescheduledTo: moved ? { uid: moved.uid, startTime: finalTimes.startTime } : null,
      cancelled,
      startTime: times.startTime,
      endTime: times.endTime,
      events: [],
      clientEmail,
      finalUid: moved?.uid ?? uid,
      finalStart: finalTimes.startTime,
      finalEnd: finalTimes.endTime,
    };
    bookings.push(booking);

    const add = (kind: Kind, eventUid: string, body: (createdAt: string) => Record<string, unknown>) => {
      const sentAt = SENT_EPOCH_MS + i * 1000 + rankOf[kind] * SENT_STEP_MS;
      // The first delivery, and Cal.com's retry of it: the same change with a later createdAt.
      const bodies = [sentAt, sentAt + 5 * 60_000].map((at) => JSON.stringify(body(new Date(at).toISOString())));
      const event: LogicalEvent = { key: `${eventUid}:${kind}`, booking, kind, trigger: triggerOf[kind], uid: eventUid, bodies, acknowledged: false, eventIds: new Set() };
      booking.events.push(event);
      events.push(event);
    };
    add('created', uid, (createdAt) => buildCalcomBody('BOOKING_CREATED', { uid, createdAt, ...times, ...people }));
    if (moved) {
      add('rescheduled', moved.uid, (createdAt) =>
        buildCalcomBody('BOOKING_RESCHEDULED', { uid: moved.uid, rescheduleUid: uid, createdAt, ...finalTimes, ...people, rescheduleReason: 'scale test: moved' }),
      );
    }
    if (cancelled) {
      const current = booking.finalUid;
      add('cancelled', current, (createdAt) => buildCalcomBody('BOOKING_CANCELLED', { uid: current, createdAt, ...finalTimes, ...people, cancellationReason: 'scale test: cancelled' }));
    }

    const keys = [i];
    for (let k = 1; k < booking.events.length; k++) keys.push((keys[k - 1] as number) + random.int(1, FOLLOW_UP_SPREAD) + random.next() / 2);
    if (booking.events.length > 1 && random.next() < options.reverseShare) keys.reverse();
    booking.events.forEach((event, k) => keyed.push({ key: keys[k] as number, event }));
  }

  keyed.sort((a, b) => a.key - b.key);
  const firsts = keyed.map(({ event }) => ({ event, raw: event.bodies[0] as string, duplicate: false }));
  if (firsts.length > options.deliveries) throw new Error(`${firsts.length} events do not fit in ${options.deliveries} deliveries: fewer bookings`);
  // Duplicates slot in after their first copy; inserting from the back keeps earlier positions valid.
  const order: { event: LogicalEvent; raw: string; duplicate: boolean }[] = [...firsts];
  const inserts: { at: number; event: LogicalEvent; raw: string }[] = [];
  for (let d = firsts.length; d < options.deliveries; d++) {
    const of = random.int(0, firsts.length - 1);
    const event = (firsts[of] as (typeof firsts)[number]).event;
    const raw = event.bodies[random.next() < options.retryShare ? 1 : 0] as string;
    inserts.push({ at: of + 1 + random.int(0, DUPLICATE_SPREAD), event, raw });
  }
  inserts.sort((a, b) => b.at - a.at);
  for (const ins of inserts) order.splice(Math.min(ins.at, order.length), 0, { event: ins.event, raw: ins.raw, duplicate: true });

  // Round-robin, except that a duplicate goes to another instance than the copy sent just before it.
  const lastTarget = new Map<LogicalEvent, number>();
  const deliveries: ScaleDelivery[] = order.map((d, n) => {
    let target = n % options.instances;
    const previous = lastTarget.get(d.event);
    if (d.duplicate && previous === target) target = (target + 1) % options.instances;
    lastTarget.set(d.event, target);
    return { n, event: d.event, raw: d.raw, target, duplicate: d.duplicate };
  });
  return { bookings, events, deliveries, clientEmails };
}
