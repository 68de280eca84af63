// Records one accepted event and applies it to its appointment, inside the caller's transaction, so the
// log row and its effect commit together (or not at all). Called for webhooks, reconciliation and replays.
import type { Logger } from 'pino';
import { actionOf, canCreateFrom, deriveAppointment, type AppointmentState, type KnownEvent } from '../appointments/lifecycle.js';
import { orientReschedule, ownAppointmentIdOf, uidsOf, type KnownUids } from '../appointments/links.js';
import type { DomainEvent } from '../appointments/types.js';
import type { Db } from '../store/store.js';
import type { EventResult, EventRow, EventSource, NewEventRow } from '../store/schema.js';
import {
  countDuplicateDelivery,
  insertEvent,
  moveEventsToAppointment,
  selectDeliveryAndUidOwners,
  selectEventByDedupKey,
  selectFoldEventsOf,
  type DeliveryRow,
  type UidOwnerPlacement,
  selectProcessedEventsOf,
  updateEventOutcome,
} from '../store/queries/events.js';
import {
  insertAppointmentCheckingOverlap,
  insertAppointmentUids,
  markAppointmentMerged,
  moveUidsToAppointment,
  selectAppointmentById,
  updateAppointmentState,
} from '../store/queries/appointments.js';
import { adoptSinkStates, markSinksDirty } from '../store/queries/sinks.js';
import type { EventWrites } from '../store/queries/event-writes.js';
import type { BookingLocks, LockPlacement } from './locks.js';
import { refreshConflicts, type Placement } from './refresh-conflicts.js';
import { isActive } from '../appointments/conflicts.js';

export interface IncomingEvent {
  source: EventSource;
  trigger: string;
  dedupKey: string;
  bookingUid: string | null;
  rawBody: string;
  headers: Record<string, string>;
  /** null for a trigger that changes no appointment (PING, forms, ...). */
  event: DomainEvent | null;
  skipReason: string | null;
  replayOf: number | null;
  /** Cal.com's X-Cal-Webhook-Version of a webhook delivery (a replay keeps its original's); absent otherwise. */
  webhookVersion?: string | null;
}

export type IntakeOutcome =
  | { status: 'processed'; duplicate: boolean; eventId: number; appointmentId: number; action: string }
  | { status: 'skipped'; duplicate: boolean; eventId: number; appointmentId: number | null; reason: string }
  /** The booking is unknown and the event cannot build it: kept, and applied when the booking appears. */
  | { status: 'parked'; duplicate: boolean; eventId: number; bookingUid: string };

export interface IntakeContext {
  now(): Date;
  /** Sinks that mirror appointments (e.g. ['notion']); each change marks them dirty. */
  sinks: readonly string[];
  locks: BookingLocks;
  /** The store's writes of the common paths (one statement each where statements are round trips). */
  writes: EventWrites;
  log: Logger;
}

/** Stands for the event being recorded until its log row exists; it is the newest event, so it sorts last. */
const NEW_EVENT_ID = Number.MAX_SAFE_INTEGER;

/** Thrown when another transaction logged the same delivery first; the caller's transaction must roll back. */
export class ConcurrentDuplicateError extends Error {
  constructor() {
    super('the same delivery was recorded concurrently');
    this.name = 'ConcurrentDuplicateError';
  }
}

export async function recordEvent(db: Db, incoming: IncomingEvent, ctx: IntakeContext): Promise<IntakeOutcome> {
  const now = ctx.now();
  const at = now.toISOString();
  const uids = incoming.event ? uidsOf(incoming.event) : [];
  // Locks first: a second delivery of the same event waits here, then sees the first one's log row. An event
  // of one booking (no reschedule link) most often sits where its appointment sits, or has none yet: its
  // organizer locks come in the same statement, and the overlap step below then needs none of its own.
  const held = uids.length > 0 ? await ctx.locks.lockUids(db, uids, incoming.event && isLoneBooking(incoming.event) ? [placementOf(incoming.event)] : undefined) : undefined;
  // One round trip after the uid locks: the dedup look-up, the uids' owners and where those sit (for the
  // organizer locks), and the uids' parked events (for a new appointment).
  const { delivery: existing, owners: known, placements, parked } = await selectDeliveryAndUidOwners(db, incoming.dedupKey, uids);
  if (existing && existing.result !== 'parked') {
    await countDuplicateDelivery(db, existing.id, at);
    return outcomeOfRow(existing, true);
  }

  if (incoming.event === null) {
    const reason = incoming.skipReason ?? 'changes no appointment';
    const id = await insertEvent(db, newRow(incoming, at, null, { result: 'skipped', appointment_id: null, action: null, reason }));
    if (id === null) return duplicateOfConcurrent(db, incoming.dedupKey);
    return { status: 'skipped', duplicate: false, eventId: id, appointmentId: null, reason };
  }

  const event = orientReschedule(incoming.event, await knownUidsFor(db, incoming.event, known));
  const owner = await findOwner(db, event, known);
  await ctx.locks.lockOrganizers(db, [placementOf(event)], owner.appointmentIds, lockPlacementsOf(placements), held);
  const log: EventLogWriter = {
    incoming,
    at,
    existingId: existing?.id ?? null,
    newRow(outcome) {
      return newRow(incoming, at, JSON.stringify(event), outcome, event.booking.uid);
    },
    async write(outcome) {
      if (this.existingId !== null) {
        await updateEventOutcome(db, this.existingId, { ...outcome, event_json: JSON.stringify(event), booking_uid: event.booking.uid });
        return this.existingId;
      }
      const id = await insertEvent(db, this.newRow(outcome));
      if (id === null) throw new ConcurrentDuplicateError();
      return id;
    },
  };

  if (owner.appointmentIds.length === 0) {
    if (!canCreateFrom(event)) {
      const eventId = await log.write({ result: 'parked', appointment_id: null, action: null, reason: 'booking not yet known' });
      return { status: 'parked', duplicate: existing !== undefined, eventId, bookingUid: event.booking.uid };
    }
    return createAppointment(db, incoming, event, owner.linked, parsedParked(parked), log, now, ctx);
  }
  return applyToAppointment(db, event, owner, known, log, now, ctx);
}

/**
 * What `orientReschedule` needs to tell a reversed reschedule from a real one: the reschedule links and the
 * current uid's times of the appointments the event's uids belong to. (Fix: it used to get only "is this uid
 * known", which flipped real reschedules whose new uid was known from a later event.) Read only for a
 * reschedule whose `uid` is already known; every other event needs nothing more.
 */
async function knownUidsFor(db: Db, event: DomainEvent, known: Map<string, number>): Promise<KnownUids> {
  const predecessors = new Map<string, string>();
  const currentTimes = new Map<string, { startTime: string | null; endTime: string | null }>();
  const isReschedule = (event.kind === 'rescheduled' || event.kind === 'requested') && event.previousUid !== null;
  if (isReschedule && known.has(event.booking.uid)) {
    for (const appointmentId of new Set(known.values())) {
      for (const { event: e } of await processedEventsOf(db, appointmentId)) {
        if (e.previousUid && e.previousUid !== e.booking.uid) predecessors.set(e.booking.uid, e.previousUid);
      }
      const row = await selectAppointmentById(db, appointmentId);
      if (row?.calcom_booking_uid) currentTimes.set(row.calcom_booking_uid, { startTime: row.start_time, endTime: row.end_time });
    }
  }
  return { isKnown: (uid) => known.has(uid), predecessors, currentTimesOf: (uid) => currentTimes.get(uid) ?? null };
}

/** Writes this event's log row once its outcome is known (or updates the row of a parked earlier delivery). */
interface EventLogWriter {
  incoming: IncomingEvent;
  at: string;
  existingId: number | null;
  /** The log row of this event with that outcome, for a caller that writes it with other rows. */
  newRow(outcome: EventOutcome): NewEventRow;
  write(outcome: EventOutcome): Promise<number>;
}

type EventOutcome = { result: EventResult; appointment_id: number | null; action: string | null; reason: string | null };

interface Owner {
  /** Appointments this event belongs to; several when it proves that separate records are one booking. */
  appointmentIds: number[];
  /** The event reached its appointment through our own id in the booking's metadata (an echo). */
  linked: boolean;
}

async function findOwner(db: Db, event: DomainEvent, known: Map<string, number>): Promise<Owner> {
  const ids = new Set(known.values());
  let linked = false;
  const ownId = ownAppointmentIdOf(event.booking.metadata);
  if (ownId !== null) {
    let own = await selectAppointmentById(db, ownId);
    while (own && own.merged_into !== null) own = await selectAppointmentById(db, own.merged_into);
    if (own) {
      linked = !known.has(event.booking.uid);
      ids.add(own.id);
    }
  }
  return { appointmentIds: [...ids].sort((a, b) => a - b), linked };
}

async function createAppointment(
  db: Db,
  incoming: IncomingEvent,
  event: DomainEvent,
  linked: boolean,
  /** The parked events of the event's uids (read with the uids' owners, under the uid locks). */
  parkedOfUids: readonly KnownEvent[],
  log: EventLogWriter,
  now: Date,
  ctx: IntakeContext,
): Promise<IntakeOutcome> {
  const at = now.toISOString();
  const parked = parkedOfUids.filter((p) => p.id !== log.existingId);
  const state = deriveAppointment([...parked, { id: log.existingId ?? NEW_EVENT_ID, event }]);
  if (!state) throw new Error('an event that can create an appointment derived none');
  const source = ownAppointmentIdOf(event.booking.metadata) !== null ? 'calsync' : incoming.source === 'reconcile' ? 'reconcile' : 'calcom_direct';
  const action = linked ? 'linked' : actionOf(event, null);
  if (log.existingId === null) {
    // The common case, a booking seen for the first time: its writes in one go, then its parked events adopted.
    const written = await ctx.writes.insertNewAppointment(db, {
      state,
      source,
      uids: [state.uid, ...state.previousUids],
      event: log.newRow({ result: 'processed', appointment_id: null, action, reason: null }),
      sinks: ctx.sinks,
      nowMs: now.getTime(),
      at,
    });
    if (written.eventId === null) throw new ConcurrentDuplicateError();
    await adoptParked(db, parked, written.appointmentId);
    if (written.overlaps) await refreshConflicts(db, written.appointmentId, null, state, ctx.log);
    return { status: 'processed', duplicate: false, eventId: written.eventId, appointmentId: written.appointmentId, action };
  }
  // A parked earlier delivery of this very event: its log row is updated, the rest written step by step.
  const { id: appointmentId, overlaps } = await insertAppointmentCheckingOverlap(db, state, source, at);
  await insertAppointmentUids(db, appointmentId, [state.uid, ...state.previousUids]);
  const eventId = await log.write({ result: 'processed', appointment_id: appointmentId, action, reason: null });
  await adoptParked(db, parked, appointmentId);
  await markSinksDirty(db, appointmentId, ctx.sinks, now.getTime(), at);
  // A new row that overlaps nothing (found by its insert, under the organizer locks) leaves every flag as
  // it is; otherwise the full refresh flags its neighbours and logs them.
  if (overlaps) await refreshConflicts(db, appointmentId, null, state, ctx.log);
  return { status: 'processed', duplicate: false, eventId, appointmentId, action };
}

async function applyToAppointment(
  db: Db,
  event: DomainEvent,
  owner: Owner,
  known: ReadonlyMap<string, number>,
  log: EventLogWriter,
  now: Date,
  ctx: IntakeContext,
): Promise<IntakeOutcome> {
  const at = now.toISOString();
  // The row locks return the rows: the survivor's row is read as locked (a merge below leaves it as it is).
  const locked = await ctx.locks.lockAppointments(db, owner.appointmentIds);
  const [keepId, ...absorbedIds] = owner.appointmentIds as [number, ...number[]];
  for (const absorbed of absorbedIds) await mergeAppointment(db, absorbed, keepId, now, ctx);

  const row = locked.find((r) => r.id === keepId);
  if (!row) throw new Error(`appointment ${keepId} vanished inside its transaction`);
  // Uid rows are moved by merges but never deleted while their appointment exists (it is locked above), so
  // uids that all had an owner when read need no insert: it would change nothing.
  const eventUids = uidsOf(event);
  if (eventUids.some((uid) => !known.has(uid))) await insertAppointmentUids(db, keepId, eventUids);
  // Its processed events and the parked ones of its uids (the event's own included, registered above).
  const { logged, parked } = await foldEventsOf(db, keepId, log.existingId);
  const state = deriveAppointment([...logged, ...parked, { id: log.existingId ?? NEW_EVENT_ID, event }]);
  const before: Placement = {
    organizerEmail: row.organizer_email,
    startTime: row.start_time,
    endTime: row.end_time,
    active: isActive(row.status),
    conflict: row.conflict === 1,
  };
  const action = owner.linked ? 'linked' : actionOf(event, row.status as AppointmentState['status']);

  if (log.existingId === null) {
    // The common case: the event's row, the new state and the dirty sinks in one go, then the parked events
    // of its uids adopted.
    const written = await ctx.writes.writeAppointmentChange(db, {
      event: log.newRow({ result: 'processed', appointment_id: keepId, action, reason: null }),
      current: row,
      state,
      sinks: ctx.sinks,
      alwaysDirty: state !== null && absorbedIds.length > 0,
      nowMs: now.getTime(),
      at,
    });
    if (written.eventId === null) throw new ConcurrentDuplicateError();
    await adoptParked(db, parked, keepId);
    if (state) await refreshConflicts(db, keepId, before, state, ctx.log);
    return { status: 'processed', duplicate: false, eventId: written.eventId, appointmentId: keepId, action };
  }
  // A parked earlier delivery of this very event: its log row is updated, the rest written step by step.
  const eventId = await log.write({ result: 'processed', appointment_id: keepId, action, reason: null });
  await adoptParked(db, parked, keepId);
  if (state) {
    const version = await updateAppointmentState(db, row, state, at);
    if (version !== null || absorbedIds.length > 0) await markSinksDirty(db, keepId, ctx.sinks, now.getTime(), at);
    await refreshConflicts(db, keepId, before, state, ctx.log);
  }
  return { status: 'processed', duplicate: false, eventId, appointmentId: keepId, action };
}

/** Folds a second record of the same booking into the first: its uids, events and sink state move over. */
async function mergeAppointment(db: Db, absorbedId: number, keepId: number, now: Date, ctx: IntakeContext): Promise<void> {
  const at = now.toISOString();
  await moveUidsToAppointment(db, absorbedId, keepId);
  await moveEventsToAppointment(db, absorbedId, keepId);
  await adoptSinkStates(db, absorbedId, keepId, now.getTime(), at);
  await markAppointmentMerged(db, absorbedId, keepId, at);
  ctx.log.info({ appointment_id: keepId, merged: absorbedId }, 'two appointment records proved to be one booking; merged');
}

/** An event that speaks of one booking only: no reschedule link to another uid. */
function isLoneBooking(event: DomainEvent): boolean {
  return event.previousUid === null || event.previousUid === event.booking.uid;
}

function placementOf(event: DomainEvent): LockPlacement {
  return { email: event.booking.organizer?.email, startTime: event.booking.startTime, endTime: event.booking.endTime };
}

function lockPlacementsOf(placements: ReadonlyMap<number, UidOwnerPlacement>): Map<number, LockPlacement> {
  const out = new Map<number, LockPlacement>();
  for (const [id, p] of placements) out.set(id, { email: p.organizer_email, startTime: p.start_time, endTime: p.end_time });
  return out;
}

async function processedEventsOf(db: Db, appointmentId: number): Promise<KnownEvent[]> {
  const rows = await selectProcessedEventsOf(db, appointmentId);
  return rows.map((r) => ({ id: r.id, event: JSON.parse(r.event_json as string) as DomainEvent }));
}

async function foldEventsOf(db: Db, appointmentId: number, existingId: number | null): Promise<{ logged: KnownEvent[]; parked: KnownEvent[] }> {
  const logged: KnownEvent[] = [];
  const parked: KnownEvent[] = [];
  for (const r of await selectFoldEventsOf(db, appointmentId)) {
    // The parked row of an earlier delivery of this very event is the event itself, folded as the newest.
    if (r.event_json === null || (r.result === 'parked' && r.id === existingId)) continue;
    const known = { id: r.id, event: JSON.parse(r.event_json) as DomainEvent };
    (r.result === 'parked' ? parked : logged).push(known);
  }
  return { logged, parked };
}

function parsedParked(rows: readonly Pick<EventRow, 'id' | 'event_json'>[]): KnownEvent[] {
  return rows.filter((r) => r.event_json !== null).map((r) => ({ id: r.id, event: JSON.parse(r.event_json as string) as DomainEvent }));
}

async function adoptParked(db: Db, parked: readonly KnownEvent[], appointmentId: number): Promise<void> {
  for (const p of parked) {
    await updateEventOutcome(db, p.id, { result: 'processed', appointment_id: appointmentId, action: actionOf(p.event, null), reason: null });
  }
}

function newRow(incoming: IncomingEvent, at: string, eventJson: string | null, outcome: EventOutcome, bookingUid?: string) {
  return {
    received_at: at,
    source: incoming.source,
    trigger: incoming.trigger,
    dedup_key: incoming.dedupKey,
    booking_uid: bookingUid ?? incoming.event?.booking.uid ?? incoming.bookingUid,
    ...outcome,
    raw_body: incoming.rawBody,
    headers: JSON.stringify(incoming.headers),
    event_json: eventJson,
    sent_at: incoming.event?.sentAt ?? null,
    last_duplicate_at: null,
    replay_of: incoming.replayOf,
    webhook_version: incoming.webhookVersion ?? null,
  };
}

/** Another transaction inserted the same dedup key between our look-up and our insert. */
async function duplicateOfConcurrent(db: Db, dedupKey: string): Promise<IntakeOutcome> {
  const row = await selectEventByDedupKey(db, dedupKey);
  if (!row) throw new Error('dedup key conflict without a row');
  return outcomeOfRow(row, true);
}

function outcomeOfRow(row: DeliveryRow, duplicate: boolean): IntakeOutcome {
  if (row.result === 'processed' && row.appointment_id !== null) {
    return { status: 'processed', duplicate, eventId: row.id, appointmentId: row.appointment_id, action: row.action ?? 'processed' };
  }
  if (row.result === 'parked') return { status: 'parked', duplicate, eventId: row.id, bookingUid: row.booking_uid ?? '' };
  return { status: 'skipped', duplicate, eventId: row.id, appointmentId: row.appointment_id, reason: row.reason ?? 'skipped' };
}
