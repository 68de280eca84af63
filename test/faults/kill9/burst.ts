// One round's burst for the kill -9 test: new bookings, cancellations and reschedules of some of them, and
// repeated deliveries, in a seeded shuffled order (so a change may arrive before its booking), sent
// concurrently to a child server that is SIGKILLed at a seeded moment (after so many answers, plus a delay).
import { buildCalcomBody, makeBookingUid, signCalcomBody } from '../../../src/calcom/samples.js';
import type { ChildServer } from '../../support/child-server.js';
import type { Random } from '../seeded-random.js';

const SLOT_MS = 30 * 60_000;
const SLOT_EPOCH_MS = Date.UTC(2034, 0, 2, 8);
const SEND_TIMEOUT_MS = 15_000;

export type Kind = 'created' | 'cancelled' | 'rescheduled';

/** One logical event (a Cal.com change); several deliveries of it may be sent. */
export interface LogicalEvent {
  key: string;
  booking: Booking;
  kind: Kind;
  trigger: 'BOOKING_CREATED' | 'BOOKING_CANCELLED' | 'BOOKING_RESCHEDULED';
  /** The uid the event log files it under (the new uid for a reschedule). */
  uid: string;
  /** Deliveries of this event: the first body, and Cal.com-style retries (a new createdAt, same change). */
  bodies: string[];
  /** Some delivery was answered 2xx; the event must then be stored. */
  acknowledged: boolean;
  /** event_id from the 2xx answers. */
  eventIds: Set<number>;
}

export interface Booking {
  uid: string;
  /** Set when the round reschedules this booking: the new uid and start. */
  rescheduledTo: { uid: string; startTime: string } | null;
  cancelled: boolean;
  startTime: string;
  events: LogicalEvent[];
}

export interface Delivery {
  event: LogicalEvent;
  raw: string;
}

export interface RoundPlan {
  bookings: Booking[];
  events: LogicalEvent[];
  deliveries: Delivery[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** `bookings` new bookings; a fifth cancelled, a fifth rescheduled; `duplicates` extra deliveries. */
export function planRound(label: string, round: number, bookingsPerRound: number, duplicates: number, random: Random): RoundPlan {
  const bookings: Booking[] = [];
  const events: LogicalEvent[] = [];
  const add = (booking: Booking, kind: Kind, uid: string, body: (createdAt: string) => Record<string, unknown>) => {
    const trigger = kind === 'created' ? 'BOOKING_CREATED' : kind === 'cancelled' ? 'BOOKING_CANCELLED' : 'BOOKING_RESCHEDULED';
    const bodies = ['2034-01-01T00:00:00.000Z', '2034-01-01T00:05:00.000Z'].map((at) => JSON.stringify(body(at)));
    const event: LogicalEvent = { key: `${uid}:${kind}`, booking, kind, trigger, uid, bodies, acknowledged: false, eventIds: new Set() };
    booking.events.push(event);
    events.push(event);
  };
  for (let i = 0; i < bookingsPerRound; i++) {
    const slot = round * bookingsPerRound * 2 + i * 2;
    const start = SLOT_EPOCH_MS + slot * SLOT_MS;
    const uid = makeBookingUid(`${label}:r${round}:b${i}`);
    const fate = i % 5;
    const booking: Booking = { uid, rescheduledTo: null, cancelled: fate === 1, startTime: iso(start), events: [] };
    bookings.push(booking);
    const times = { startTime: iso(start), endTime: iso(start + SLOT_MS) };
    add(booking, 'created', uid, (createdAt) => buildCalcomBody('BOOKING_CREATED', { uid, createdAt, ...times }));
    if (fate === 1) {
      add(booking, 'cancelled', uid, (createdAt) => buildCalcomBody('BOOKING_CANCELLED', { uid, createdAt, ...times, cancellationReason: 'kill -9 round' }));
    }
    if (fate === 2) {
      const newUid = makeBookingUid(`${label}:r${round}:b${i}:moved`);
      const newStart = start + SLOT_MS;
      booking.rescheduledTo = { uid: newUid, startTime: iso(newStart) };
      add(booking, 'rescheduled', newUid, (createdAt) =>
        buildCalcomBody('BOOKING_RESCHEDULED', { uid: newUid, rescheduleUid: uid, createdAt, startTime: iso(newStart), endTime: iso(newStart + SLOT_MS), rescheduleReason: 'kill -9 round' }),
      );
    }
  }
  const deliveries: Delivery[] = events.map((event) => ({ event, raw: event.bodies[0] as string }));
  for (let d = 0; d < duplicates; d++) {
    const event = events[random.int(0, events.length - 1)] as LogicalEvent;
    deliveries.push({ event, raw: event.bodies[random.int(0, event.bodies.length - 1)] as string });
  }
  return { bookings, events, deliveries: random.shuffle(deliveries) };
}

export interface Answer {
  status: number;
  body: { status?: string; duplicate?: boolean; event_id?: number; error?: { code?: string } };
}

/** Posts one signed delivery; null when no HTTP answer came (the server died). */
export async function deliver(url: string, raw: string, secret: string): Promise<Answer | null> {
  try {
    const res = await fetch(`${url}/webhooks/calcom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalcomBody(raw, secret) },
      body: raw,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: Answer['body'];
    try {
      body = JSON.parse(text) as Answer['body'];
    } catch {
      // An answer that is not JSON is still an answer (and unexpected): it must not pass for a dead server.
      body = { status: `non-JSON answer: ${text.slice(0, 80)}` };
    }
    return { status: res.status, body };
  } catch {
    return null;
  }
}

export interface BurstResult {
  answered: number;
  unanswered: number;
  /** Answers that were neither 2xx nor a dropped connection. */
  unexpected: string[];
  /** How the server ended. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

export interface KillMoment {
  /** SIGKILL once this many requests have been answered... */
  afterAnswers: number;
  /** ...and this much later, so that the kill lands between, during or after commits. */
  delayMs: number;
}

/**
 * Sends every delivery with `concurrency` in flight and SIGKILLs `server` at `moment`. A 2xx marks its
 * event acknowledged.
 */
export async function burstAndKill(server: ChildServer, plan: RoundPlan, secret: string, concurrency: number, moment: KillMoment): Promise<BurstResult> {
  let killed: Promise<BurstResult['exit']> | null = null;
  const result: BurstResult = { answered: 0, unanswered: 0, unexpected: [], exit: null };
  const killSoon = () => {
    killed ??= new Promise((resolve) => setTimeout(resolve, moment.delayMs)).then(() => server.kill('SIGKILL'));
  };
  if (moment.afterAnswers === 0) killSoon();
  await inParallel(plan.deliveries, concurrency, async (delivery) => {
    const answer = await deliver(server.url, delivery.raw, secret);
    if (answer === null) {
      result.unanswered += 1;
      return;
    }
    result.answered += 1;
    if (result.answered >= moment.afterAnswers) killSoon();
    if (answer.status >= 200 && answer.status < 300) {
      delivery.event.acknowledged = true;
      if (typeof answer.body.event_id === 'number') delivery.event.eventIds.add(answer.body.event_id);
    } else {
      result.unexpected.push(`${delivery.event.key}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  });
  killSoon();
  result.exit = await killed;
  return result;
}
