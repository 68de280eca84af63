// Records one accepted event and applies it to its appointment, inside the caller's transaction, so the
// log row and its effect commit together (or not at all). Called for webhooks, reconciliation and replays.
import type { Logger } from 'pino';
import { actionOf, canCreateFrom, deriveAppointment, type AppointmentState, type KnownEvent } from '../appointments/lifecycle.js';
import { orientReschedule, ownAppointmentIdOf, uidsOf, type KnownUids } from '../appointments/links.js';
import type { DomainEvent } from '../appointments/types.js';
import type { Db } from '../store/store.js';
import type { EventResult, EventRow, EventSource } from '../store/schema.js';
import {
  countDuplicateDelivery,
  insertEvent,
  moveEventsToAppointment,
  selectEventByDedupKey,
  selectParkedEventsFor,
  selectProcessedEventsOf,
  updateEventOutcome,
} from '../store/queries/events.js';
import {
  insertAppointment,
  insertAppointmentUids,
  markAppointmentMerged,
  moveUidsToAppointment,
  selectAppointmentById,
  selectAppointmentIdsByUids,
  selectUidsOf,
  updateAppointmentState,
} from '../store/queries/appointments.js';
import { adoptSinkStates, markSinksDirty } from '../store/queries/sinks.js';
import type { BookingLocks } from './locks.js';
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
  // Locks first: a second delivery of the same event waits here, then sees the first one's log row.
  if (incoming.event) await ctx.locks.lockUids(db, uidsOf(incoming.event));
  const existing = await selectEventByDedupKey(db, incoming.dedupKey);
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

  const known = await selectAppointmentIdsByUids(db, uidsOf(incoming.event));
  const event = orientReschedule(incoming.event, await knownUidsFor(db, incoming.event, known));
  const owner = await findOwner(db, event, known);
  await ctx.locks.lockOrganizers(
    db,
    [{ email: event.booking.organizer?.email, startTime: event.booking.startTime, endTime: event.booking.endTime }],
    owner.appointmentIds,
  );
  const log: EventLogWriter = {
    incoming,
    at,
    existingId: existing?.id ?? null,
    async write(outcome) {
      const json = JSON.stringify(event);
      if (this.existingId !== null) {
        await updateEventOutcome(db, this.existingId, { ...outcome, event_json: json, booking_uid: event.booking.uid });
        return this.existingId;
      }
      const id = await insertEvent(db, newRow(incoming, at, json, outcome, event.booking.uid));
      if (id === null) throw new ConcurrentDuplicateError();
      return id;
    },
  };

  if (owner.appointmentIds.length === 0) {
    if (!canCreateFrom(event)) {
      const eventId = await log.write({ result: 'parked', appointment_id: null, action: null, reason: 'booking not yet known' });
      return { status: 'parked', duplicate: existing !== undefined, eventId, bookingUid: event.booking.uid };
    }
    return createAppointment(db, incoming, event, owner.linked, log, now, ctx);
  }
  return applyToAppointment(db, event, owner, log, now, ctx);
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
  log: EventLogWriter,
  now: Date,
  ctx: IntakeContext,
): Promise<IntakeOutcome> {
  const at = now.toISOString();
  const parked = (await parkedEventsFor(db, uidsOf(event))).filter((p) => p.id !== log.existingId);
  const state = deriveAppointment([...parked, { id: log.existingId ?? NEW_EVENT_ID, event }]);
  if (!state) throw new Error('an event that can create an appointment derived none');
  const source = ownAppointmentIdOf(event.booking.metadata) !== null ? 'calsync' : incoming.source === 'reconcile' ? 'reconcile' : 'calcom_direct';
  const appointmentId = await insertAppointment(db, state, source, at);
  await insertAppointmentUids(db, appointmentId, [state.uid, ...state.previousUids]);
  const action = linked ? 'linked' : actionOf(event, null);
  const eventId = await log.write({ result: 'processed', appointment_id: appointmentId, action, reason: null });
  await adoptParked(db, parked, appointmentId);
  await markSinksDirty(db, appointmentId, ctx.sinks, now.getTime(), at);
  await refreshConflicts(db, appointmentId, null, state, ctx.log);
  return { status: 'processed', duplicate: false, eventId, appointmentId, action };
}

async function applyToAppointment(
  db: Db,
  event: DomainEvent,
  owner: Owner,
  log: EventLogWriter,
  now: Date,
  ctx: IntakeContext,
): Promise<IntakeOutcome> {
  const at = now.toISOString();
  await ctx.locks.lockAppointments(db, owner.appointmentIds);
  const [keepId, ...absorbedIds] = owner.appointmentIds as [number, ...number[]];
  for (const absorbed of absorbedIds) await mergeAppointment(db, absorbed, keepId, now, ctx);

  const row = await selectAppointmentById(db, keepId);
  if (!row) throw new Error(`appointment ${keepId} vanished inside its transaction`);
  await insertAppointmentUids(db, keepId, uidsOf(event));
  const uids = await selectUidsOf(db, keepId);
  const parked = (await parkedEventsFor(db, uids)).filter((p) => p.id !== log.existingId);
  const logged = await processedEventsOf(db, keepId);
  const state = deriveAppointment([...logged, ...parked, { id: log.existingId ?? NEW_EVENT_ID, event }]);
  const before: Placement = {
    organizerEmail: row.organizer_email,
    startTime: row.start_time,
    endTime: row.end_time,
    active: isActive(row.status),
    conflict: row.conflict === 1,
  };
  const action = owner.linked ? 'linked' : actionOf(event, row.status as AppointmentState['status']);

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

async function processedEventsOf(db: Db, appointmentId: number): Promise<KnownEvent[]> {
  const rows = await selectProcessedEventsOf(db, appointmentId);
  return rows.map((r) => ({ id: r.id, event: JSON.parse(r.event_json as string) as DomainEvent }));
}

async function parkedEventsFor(db: Db, uids: readonly string[]): Promise<KnownEvent[]> {
  const rows = await selectParkedEventsFor(db, uids);
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

function outcomeOfRow(row: EventRow, duplicate: boolean): IntakeOutcome {
  if (row.result === 'processed' && row.appointment_id !== null) {
    return { status: 'processed', duplicate, eventId: row.id, appointmentId: row.appointment_id, action: row.action ?? 'processed' };
  }
  if (row.result === 'parked') return { status: 'parked', duplicate, eventId: row.id, bookingUid: row.booking_uid ?? '' };
  return { status: 'skipped', duplicate, eventId: row.id, appointmentId: row.appointment_id, reason: row.reason ?? 'skipped' };
}
