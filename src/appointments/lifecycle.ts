// An appointment's state is a pure function of the set of events known for it: the events are sorted into
// their natural lifecycle order (reschedule-chain depth, then position in a booking's life, then send time)
// and folded. Arrival order therefore never matters: a cancellation that arrives before its creation, or a
// reschedule before the booking it moves, ends in the same state as the natural order. It also makes
// repeats harmless: folding an event twice gives the state of folding it once.
import type { AppointmentStatus, Attendee, BookingFacts, DomainEvent, EventKind, Person } from './types.js';
import { bareBookingFacts } from './booking-facts.js';

export interface AppointmentState {
  /** The booking's current uid: the tip of its reschedule chain. */
  uid: string;
  /** Every earlier uid of the booking, oldest first. */
  previousUids: string[];
  bookingId: number | null;
  eventTypeId: number | null;
  eventType: string | null;
  title: string | null;
  startTime: string | null;
  endTime: string | null;
  organizer: Person | null;
  attendees: Attendee[];
  phone: string | null;
  notes: string | null;
  location: string | null;
  metadata: Record<string, unknown>;
  /** The recurring series of this occurrence, when Cal.com said (optional so hand-built states stay valid). */
  recurringEventId?: string | null;
  status: AppointmentStatus;
  rescheduleReason: string | null;
  rescheduledBy: string | null;
  cancellationReason: string | null;
  cancelledBy: string | null;
  requestReschedule: boolean;
  rejectionReason: string | null;
  noShow: boolean;
  payment: { status: 'initiated' | 'paid'; paymentId: string | null } | null;
}

export interface KnownEvent {
  /** Position in the event log; the last tie-breaker. */
  id: number;
  event: DomainEvent;
}

/** Where an event sits in one booking's life; later ranks win over earlier ones. */
const KIND_RANK = {
  requested: 10,
  payment_initiated: 12,
  created: 20,
  confirmed: 20,
  rescheduled: 20,
  paid: 22,
  meeting_started: 30,
  meeting_ended: 35,
  no_show_updated: 37,
  cancelled: 40,
  rejected: 40,
  snapshot: 0, // ranked by the status it reports, see rankOf
} as const satisfies Record<EventKind, number>;

const SNAPSHOT_RANK = { pending: 10, accepted: 20, cancelled: 40, rejected: 40 } as const;

function rankOf(event: DomainEvent): number {
  if (event.kind === 'snapshot') return event.snapshotStatus ? SNAPSHOT_RANK[event.snapshotStatus] : 20;
  return KIND_RANK[event.kind];
}

/** Kinds that describe a whole booking, so they may start an appointment on their own. */
const CAN_CREATE: Record<EventKind, boolean> = {
  requested: true,
  created: true,
  confirmed: true,
  rescheduled: true,
  payment_initiated: true,
  paid: true,
  snapshot: true,
  cancelled: true,
  rejected: true,
  meeting_ended: true,
  meeting_started: true,
  no_show_updated: false,
};

/**
 * True when the event carries enough to build an appointment it has never seen: a booking with times and
 * an organizer or attendee. A bare cancellation `{uid}` or a no-show update does not.
 */
export function canCreateFrom(event: DomainEvent): boolean {
  const b = event.booking;
  return CAN_CREATE[event.kind] && b.startTime !== null && b.endTime !== null && (b.organizer !== null || b.attendees.length > 0);
}

/** Reschedule edges (previous uid -> new uid) seen in these events. */
function rescheduleEdges(events: readonly KnownEvent[]): Map<string, string> {
  const predecessor = new Map<string, string>();
  for (const { event } of events) {
    if (event.previousUid && event.previousUid !== event.booking.uid) predecessor.set(event.booking.uid, event.previousUid);
  }
  return predecessor;
}

function depthOf(uid: string, predecessor: Map<string, string>): number {
  let depth = 0;
  const seen = new Set<string>([uid]);
  for (let cur = predecessor.get(uid); cur !== undefined && !seen.has(cur); cur = predecessor.get(cur)) {
    seen.add(cur);
    depth += 1;
  }
  return depth;
}

/** Sorts events into their natural order. Pure; returns a new array. */
export function naturalOrder(events: readonly KnownEvent[]): KnownEvent[] {
  const predecessor = rescheduleEdges(events);
  const key = (e: KnownEvent) => ({ depth: depthOf(e.event.booking.uid, predecessor), rank: rankOf(e.event) });
  return [...events]
    .map((e) => ({ e, k: key(e) }))
    .sort(
      (a, b) =>
        a.k.depth - b.k.depth ||
        a.k.rank - b.k.rank ||
        compareNullableText(a.e.event.sentAt, b.e.event.sentAt) ||
        a.e.id - b.e.id,
    )
    .map(({ e }) => e);
}

function compareNullableText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** The uid chain of these events, oldest first; the last one is the booking's current uid. */
export function uidChain(events: readonly KnownEvent[]): string[] {
  const predecessor = rescheduleEdges(events);
  const uids = new Set<string>();
  for (const { event } of events) {
    uids.add(event.booking.uid);
    if (event.previousUid) uids.add(event.previousUid);
  }
  return [...uids].sort((a, b) => depthOf(a, predecessor) - depthOf(b, predecessor) || (a < b ? -1 : 1));
}

/** Folds the events of one appointment into its state; null when no event can start it. */
export function deriveAppointment(events: readonly KnownEvent[]): AppointmentState | null {
  const ordered = naturalOrder(events);
  const starter = ordered.find((e) => canCreateFrom(e.event));
  if (!starter) return null;
  const chain = uidChain(events);
  let state = initialState(starter.event);
  for (const { event } of ordered) state = applyEvent(state, event);
  const tip = chain[chain.length - 1] ?? state.uid;
  return { ...state, uid: tip, previousUids: chain.filter((u) => u !== tip) };
}

function initialState(event: DomainEvent): AppointmentState {
  return {
    ...bareBookingFacts(event.booking.uid),
    attendees: [],
    previousUids: [],
    status: 'requested',
    rescheduleReason: null,
    rescheduledBy: null,
    cancellationReason: null,
    cancelledBy: null,
    requestReschedule: false,
    rejectionReason: null,
    noShow: false,
    payment: null,
  };
}

/** Applies one event, in natural order, to the state. */
export function applyEvent(state: AppointmentState, event: DomainEvent): AppointmentState {
  const next = mergeFacts(state, event.booking);
  switch (event.kind) {
    case 'requested':
      return withStatus(
        event.previousUid ? { ...next, rescheduleReason: event.reason ?? next.rescheduleReason, rescheduledBy: event.actor ?? next.rescheduledBy } : next,
        'requested',
      );
    case 'created':
    case 'confirmed':
      return withStatus(next, 'accepted');
    case 'rescheduled':
      return withStatus(
        { ...next, rescheduleReason: event.reason ?? next.rescheduleReason, rescheduledBy: event.actor ?? next.rescheduledBy },
        'accepted',
      );
    case 'payment_initiated':
      return {
        ...next,
        payment: next.payment?.status === 'paid' ? next.payment : { status: 'initiated', paymentId: event.payment?.paymentId ?? next.payment?.paymentId ?? null },
      };
    case 'paid':
      return withStatus(
        { ...next, payment: { status: 'paid', paymentId: event.payment?.paymentId ?? next.payment?.paymentId ?? null } },
        'accepted',
      );
    case 'meeting_started':
      // Cal.com schedules MEETING_STARTED only for accepted bookings, so a meeting that starts was accepted.
      return next.status === 'requested' ? withStatus(next, 'accepted') : next;
    case 'meeting_ended':
      return withStatus(next, 'completed');
    case 'no_show_updated':
      return applyNoShow(next, event.noShow ?? []);
    case 'cancelled':
      if (isSeatCancellation(next, event)) return withoutSeats(next, event.booking.attendees);
      return {
        ...withStatus(next, 'cancelled'),
        cancellationReason: event.reason ?? next.cancellationReason,
        cancelledBy: event.actor ?? next.cancelledBy,
        requestReschedule: event.requestReschedule,
      };
    case 'rejected':
      return { ...withStatus(next, 'rejected'), rejectionReason: event.reason ?? next.rejectionReason };
    case 'snapshot':
      return withSnapshotReasons(withStatus(next, snapshotStatus(event)), event);
    default:
      return assertNever(event.kind);
  }
}

/** A snapshot read from Cal.com's API carries the reason and actor of the change it reports. */
function withSnapshotReasons(state: AppointmentState, event: DomainEvent): AppointmentState {
  switch (state.status) {
    case 'cancelled':
      return { ...state, cancellationReason: event.reason ?? state.cancellationReason, cancelledBy: event.actor ?? state.cancelledBy };
    case 'rejected':
      return { ...state, rejectionReason: event.reason ?? state.rejectionReason };
    default:
      return event.previousUid
        ? { ...state, rescheduleReason: event.reason ?? state.rescheduleReason, rescheduledBy: event.actor ?? state.rescheduledBy }
        : state;
  }
}

function snapshotStatus(event: DomainEvent): AppointmentStatus {
  switch (event.snapshotStatus) {
    case 'pending':
      return 'requested';
    case 'cancelled':
      return 'cancelled';
    case 'rejected':
      return 'rejected';
    case 'accepted':
    case null:
      return 'accepted';
    default:
      return assertNever(event.snapshotStatus);
  }
}

/** Moving to a status clears the reasons that belonged to the status it leaves. */
function withStatus(state: AppointmentState, status: AppointmentStatus): AppointmentState {
  const next = { ...state, status };
  if (status !== 'cancelled') {
    next.cancellationReason = null;
    next.cancelledBy = null;
    next.requestReschedule = false;
  }
  if (status !== 'rejected') next.rejectionReason = null;
  return next;
}

/** Known facts win over unknown ones; a partial message never erases what a fuller one said. */
function mergeFacts(state: AppointmentState, b: BookingFacts): AppointmentState {
  return {
    ...state,
    bookingId: b.bookingId ?? state.bookingId,
    eventTypeId: b.eventTypeId ?? state.eventTypeId,
    eventType: b.eventType ?? state.eventType,
    title: b.title ?? state.title,
    startTime: b.startTime ?? state.startTime,
    endTime: b.endTime ?? state.endTime,
    organizer: b.organizer ?? state.organizer,
    attendees: b.attendees.length === 0 ? state.attendees : b.seated ? addSeats(state.attendees, b.attendees) : mergeAttendees(state.attendees, b.attendees),
    phone: b.phone ?? state.phone,
    notes: b.notes ?? state.notes,
    location: b.location ?? state.location,
    metadata: { ...state.metadata, ...b.metadata },
    recurringEventId: b.recurringEventId ?? state.recurringEventId ?? null,
  };
}

/** A seat's message names only its own attendee(s): they join the others instead of replacing them. */
function addSeats(current: readonly Attendee[], incoming: readonly Person[]): Attendee[] {
  const byEmail = new Map(current.map((a) => [a.email, a]));
  for (const p of incoming) byEmail.set(p.email, { ...p, noShow: byEmail.get(p.email)?.noShow ?? false });
  return [...byEmail.values()];
}

/**
 * Cal.com sends BOOKING_CANCELLED with only the leaving attendee when one seat of a seated slot is cancelled
 * (cancelAttendeeSeat); the booking stays for the others. Only when no seat remains is the slot cancelled.
 */
function isSeatCancellation(state: AppointmentState, event: DomainEvent): boolean {
  if (event.booking.seated !== true || event.booking.attendees.length === 0 || event.requestReschedule) return false;
  const leaving = new Set(event.booking.attendees.map((a) => a.email));
  return state.attendees.some((a) => !leaving.has(a.email));
}

function withoutSeats(state: AppointmentState, leaving: readonly Person[]): AppointmentState {
  const emails = new Set(leaving.map((a) => a.email));
  const attendees = state.attendees.filter((a) => !emails.has(a.email));
  return { ...state, attendees, noShow: attendees.some((a) => a.noShow) };
}

function mergeAttendees(current: readonly Attendee[], incoming: readonly Person[]): Attendee[] {
  const noShowByEmail = new Map(current.map((a) => [a.email, a.noShow]));
  return incoming.map((p) => ({ ...p, noShow: noShowByEmail.get(p.email) ?? false }));
}

function applyNoShow(state: AppointmentState, flags: readonly { email: string; noShow: boolean }[]): AppointmentState {
  const byEmail = new Map(flags.map((f) => [f.email, f.noShow]));
  const attendees = state.attendees.map((a) => (byEmail.has(a.email) ? { ...a, noShow: byEmail.get(a.email) === true } : a));
  // A flag for someone the booking does not list yet is kept, so it is not lost when the booking arrives later.
  for (const f of flags) {
    if (!attendees.some((a) => a.email === f.email)) attendees.push({ name: null, email: f.email, timeZone: null, noShow: f.noShow });
  }
  return { ...state, attendees, noShow: attendees.some((a) => a.noShow) };
}

/** What this event did, as the webhook response's `action` says it. */
export type EventAction =
  | 'created'
  | 'confirmed'
  | 'requested'
  | 'rescheduled'
  | 'cancelled'
  | 'rejected'
  | 'completed'
  | 'started'
  | 'no_show'
  | 'payment_initiated'
  | 'paid'
  | 'reconciled';

export function actionOf(event: DomainEvent, statusBefore: AppointmentStatus | null): EventAction {
  switch (event.kind) {
    case 'requested':
      return event.previousUid ? 'rescheduled' : 'requested';
    case 'created':
      return statusBefore === 'requested' ? 'confirmed' : 'created';
    case 'confirmed':
      return 'confirmed';
    case 'rescheduled':
      return 'rescheduled';
    case 'cancelled':
      return 'cancelled';
    case 'rejected':
      return 'rejected';
    case 'meeting_ended':
      return 'completed';
    case 'meeting_started':
      return 'started';
    case 'no_show_updated':
      return 'no_show';
    case 'payment_initiated':
      return 'payment_initiated';
    case 'paid':
      return 'paid';
    case 'snapshot':
      return 'reconciled';
    default:
      return assertNever(event.kind);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}
