// The writes an event makes on the intake's common paths, each with one meaning in two shapes chosen by the
// store (store.ts):
// - step by step, one statement each: where a statement is a call into the library (embedded SQLite, which
//   has no writes inside `with`), a few calls cost less than composing one;
// - at once: where a statement is a network round trip (PostgreSQL), one statement of data-modifying CTEs.
// The paths:
// - a booking seen for the first time: its appointment row (whose insert also finds whether it overlaps
//   another of its organizer), its uids, its event's log row and a pending row for each sink;
// - an event applied to a known appointment: its event's log row, the appointment's new state (when it
//   changed) and its sinks marked dirty.
// The event insert loses to a concurrent delivery of the same dedup key like insertEvent (eventId null); the
// caller then rolls the whole transaction back, so what the other writes did does not matter.
import { sql, type RawBuilder } from 'kysely';
import type { AppointmentState } from '../../appointments/lifecycle.js';
import type { AppointmentRow, NewEventRow } from '../schema.js';
import type { Db } from '../db.js';
import { compiledStatement } from '../compiled.js';
import {
  appointmentInsert,
  appointmentUidsInsert,
  appointmentUpdate,
  appointmentUpdateSql,
  appointmentValues,
  insertAppointmentCheckingOverlap,
  insertAppointmentUids,
  overlapCheck,
  overlapFlag,
  writeAppointmentUpdate,
  type AppointmentUpdate,
  type AppointmentValues,
  type OverlapCheck,
} from './appointments.js';
import { eventInsert, eventValues, insertEvent, type EventValues } from './events.js';
import { distinct, markSinksDirty, sinksDirtyUpsert } from './sinks.js';

export interface NewAppointment {
  state: AppointmentState;
  source: string;
  /** Its uids: the current one first, then earlier ones (already-registered uids are left as they are). */
  uids: readonly string[];
  /** The event's log row; its appointment_id is the new appointment's. */
  event: Omit<NewEventRow, 'appointment_id'>;
  sinks: readonly string[];
  nowMs: number;
  at: string;
}

export interface NewAppointmentWritten {
  appointmentId: number;
  /** Whether it overlaps an active appointment of its organizer (its conflict flag as inserted). */
  overlaps: boolean;
  /** null when a concurrent delivery logged the same dedup key first. */
  eventId: number | null;
}

export interface AppointmentChange {
  /** The event's log row (its appointment_id set). */
  event: NewEventRow;
  /** The appointment as locked and read in this transaction, and the state its events now derive. */
  current: AppointmentRow;
  state: AppointmentState | null;
  /** Marked dirty when the state changed, or when `alwaysDirty` (e.g. records were merged into it). */
  sinks: readonly string[];
  alwaysDirty: boolean;
  nowMs: number;
  at: string;
}

export interface AppointmentChangeWritten {
  /** null when a concurrent delivery logged the same dedup key first. */
  eventId: number | null;
  /** The appointment's new version, or null when its state did not change. */
  version: number | null;
}

export interface EventWrites {
  insertNewAppointment(db: Db, input: NewAppointment): Promise<NewAppointmentWritten>;
  writeAppointmentChange(db: Db, input: AppointmentChange): Promise<AppointmentChangeWritten>;
}

export const EVENT_WRITES_STEP_BY_STEP: EventWrites = {
  async insertNewAppointment(db, input) {
    const { id: appointmentId, overlaps } = await insertAppointmentCheckingOverlap(db, input.state, input.source, input.at);
    await insertAppointmentUids(db, appointmentId, input.uids);
    const eventId = await insertEvent(db, { ...input.event, appointment_id: appointmentId });
    if (eventId !== null) await markSinksDirty(db, appointmentId, input.sinks, input.nowMs, input.at);
    return { appointmentId, overlaps, eventId };
  },
  async writeAppointmentChange(db, input) {
    const eventId = await insertEvent(db, input.event);
    if (eventId === null) return { eventId, version: null };
    const update = input.state ? appointmentUpdate(input.current, input.state, input.at) : null;
    if (update) await writeAppointmentUpdate(db, update);
    if (update || input.alwaysDirty) await markSinksDirty(db, input.current.id, input.sinks, input.nowMs, input.at);
    return { eventId, version: update?.version ?? null };
  },
};

export const EVENT_WRITES_AT_ONCE: EventWrites = {
  async insertNewAppointment(db, input) {
    const appointment = appointmentValues(input.state, input.source, input.at);
    const { rows } = await NEW_APPOINTMENT_AT_ONCE(db, {
      appointment,
      uids: [...new Set(input.uids)],
      event: eventValues({ ...input.event, appointment_id: null }),
      sinks: distinct(input.sinks),
      nowMs: input.nowMs,
      at: input.at,
    });
    const row = rows[0];
    if (row === undefined) throw new Error('insert into appointments returned no id');
    return { appointmentId: row.appointment_id, overlaps: Number(row.conflict) === 1, eventId: row.event_id };
  },
  async writeAppointmentChange(db, input) {
    const update = input.state ? appointmentUpdate(input.current, input.state, input.at) : null;
    const { rows } = await APPOINTMENT_CHANGE_AT_ONCE(db, {
      event: eventValues(input.event),
      update,
      appointmentId: input.current.id,
      sinks: update || input.alwaysDirty ? distinct(input.sinks) : [],
      nowMs: input.nowMs,
      at: input.at,
    });
    const eventId = rows[0]?.event_id ?? null;
    return { eventId, version: eventId === null ? null : (update?.version ?? null) };
  },
};

/** A new booking's four inserts as one statement of data-modifying CTEs. */
const NEW_APPOINTMENT_AT_ONCE = compiledStatement(
  'new-appointment-at-once',
  (
    v: { appointment: AppointmentValues; uids: readonly string[]; event: EventValues; sinks: readonly string[]; nowMs: number; at: string },
    check,
  ) => {
    const newId = sql`(select id from a)`;
    const parts = [sql`a as (${appointmentInsert(v.appointment, overlapFlag(v.appointment, check as OverlapCheck))})`];
    if (v.uids.length > 0) parts.push(sql`u as (${appointmentUidsInsert(v.uids, newId)})`);
    parts.push(sql`e as (${eventInsert(v.event, newId)})`);
    if (v.sinks.length > 0) parts.push(sql`s as (${sinksDirtyUpsert(newId, v.sinks, v.nowMs, v.at)})`);
    return sql<{ appointment_id: number; conflict: number; event_id: number | null }>`
      with ${sql.join(parts)}
      select a.id as appointment_id, a.conflict, (select id from e) as event_id from a`;
  },
  (v) => overlapCheck(v.appointment),
);

/** An applied event's log row, the appointment's new state (when it changed) and its dirty sinks as one statement. */
const APPOINTMENT_CHANGE_AT_ONCE = compiledStatement(
  'appointment-change-at-once',
  (v: { event: EventValues; update: AppointmentUpdate | null; appointmentId: number; sinks: readonly string[]; nowMs: number; at: string }, shape) => {
    const parts: RawBuilder<unknown>[] = [sql`e as (${eventInsert(v.event)})`];
    if (shape === 'update' && v.update) parts.push(sql`u as (${appointmentUpdateSql(v.update)})`);
    if (v.sinks.length > 0) parts.push(sql`s as (${sinksDirtyUpsert(v.appointmentId, v.sinks, v.nowMs, v.at)})`);
    return sql<{ event_id: number | null }>`with ${sql.join(parts)} select (select id from e) as event_id`;
  },
  (v) => (v.update ? 'update' : 'no-update'),
);
