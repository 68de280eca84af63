// Appointment rows and the uids that lead to them. Statements on every webhook's path are compiled once per
// shape (../compiled.ts); the rest use the builder.
import { sql, type RawBuilder } from 'kysely';
import type { AppointmentState } from '../../appointments/lifecycle.js';
import type { AppointmentStatus, Attendee } from '../../appointments/types.js';
import { ACTIVE_STATUSES, isActive } from '../../appointments/conflicts.js';
import { compiledStatement } from '../compiled.js';
import type { Db } from '../db.js';
import type { AppointmentRow } from '../schema.js';

export async function selectAppointmentIdsByUids(db: Db, uids: readonly string[]): Promise<Map<string, number>> {
  if (uids.length === 0) return new Map();
  const { rows } = await sql<{ uid: string; appointment_id: number }>`
    select uid, appointment_id from appointment_uids where uid in (${sql.join(uids)})`.execute(db);
  return new Map(rows.map((r) => [r.uid, r.appointment_id]));
}

export async function selectAppointmentById(db: Db, id: number): Promise<AppointmentRow | undefined> {
  return db.selectFrom('appointments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function selectAppointmentByUid(db: Db, uid: string): Promise<AppointmentRow | undefined> {
  return db
    .selectFrom('appointment_uids')
    .innerJoin('appointments', 'appointments.id', 'appointment_uids.appointment_id')
    .selectAll('appointments')
    .where('appointment_uids.uid', '=', uid)
    .executeTakeFirst();
}

export async function selectUidsOf(db: Db, appointmentId: number): Promise<string[]> {
  const rows = await db.selectFrom('appointment_uids').select('uid').where('appointment_id', '=', appointmentId).execute();
  return rows.map((r) => r.uid);
}

/** The uids of several appointments in one query, keyed by appointment id (for listings). */
export async function selectUidsOfMany(db: Db, appointmentIds: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>(appointmentIds.map((id) => [id, []]));
  if (appointmentIds.length === 0) return out;
  const rows = await db.selectFrom('appointment_uids').select(['uid', 'appointment_id']).where('appointment_id', 'in', appointmentIds).execute();
  for (const r of rows) out.get(r.appointment_id)?.push(r.uid);
  return out;
}

/** Registers uids for an appointment; a uid already registered keeps its owner. */
export async function insertAppointmentUids(db: Db, appointmentId: number, uids: readonly string[]): Promise<void> {
  if (uids.length === 0) return;
  await INSERT_APPOINTMENT_UIDS(db, { appointmentId, uids });
}

const INSERT_APPOINTMENT_UIDS = compiledStatement(
  'insert-appointment-uids',
  ({ appointmentId, uids }: { appointmentId: number; uids: readonly string[] }) => appointmentUidsInsert(uids, appointmentId),
);

/**
 * insertAppointmentUids' statement, for composing (at least one uid, each once): `appointmentId` may be an
 * expression (the id of a row inserted in the same statement).
 */
export function appointmentUidsInsert(uids: readonly string[], appointmentId: number | RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`insert into appointment_uids (uid, appointment_id) values ${sql.join(uids.map((uid) => sql`(${uid}, ${appointmentId})`))} on conflict (uid) do nothing`;
}

export async function moveUidsToAppointment(db: Db, fromAppointmentId: number, toAppointmentId: number): Promise<void> {
  await db.updateTable('appointment_uids').set({ appointment_id: toAppointmentId }).where('appointment_id', '=', fromAppointmentId).execute();
}

export async function markAppointmentMerged(db: Db, id: number, intoId: number, at: string): Promise<void> {
  await db.updateTable('appointments').set({ merged_into: intoId, updated_at: at }).where('id', '=', id).execute();
}

function stateColumns(state: AppointmentState): StateColumns {
  return {
    calcom_booking_uid: state.uid,
    calcom_booking_id: state.bookingId,
    status: state.status,
    start_time: state.startTime,
    end_time: state.endTime,
    title: state.title,
    event_type_id: state.eventTypeId,
    event_type: state.eventType,
    organizer_name: state.organizer?.name ?? null,
    organizer_email: state.organizer?.email ?? null,
    organizer_time_zone: state.organizer?.timeZone ?? null,
    attendees: JSON.stringify(state.attendees.map((a) => ({ name: a.name, email: a.email, time_zone: a.timeZone, no_show: a.noShow }))),
    phone: state.phone,
    notes: state.notes,
    location: state.location,
    metadata: JSON.stringify(state.metadata),
    reschedule_reason: state.rescheduleReason,
    rescheduled_by: state.rescheduledBy,
    cancellation_reason: state.cancellationReason,
    cancelled_by: state.cancelledBy,
    request_reschedule: state.requestReschedule ? 1 : 0,
    rejection_reason: state.rejectionReason,
    no_show: state.noShow ? 1 : 0,
    payment_status: state.payment?.status ?? null,
    payment_id: state.payment?.paymentId ?? null,
    recurring_event_id: state.recurringEventId ?? null,
  };
}

/** The columns an appointment's state sets (what an update writes). */
export type StateColumns = { [K in StateColumn]-?: Exclude<AppointmentRow[K], undefined> };
type StateColumn =
  | 'calcom_booking_uid' | 'calcom_booking_id' | 'status' | 'start_time' | 'end_time' | 'title' | 'event_type_id' | 'event_type'
  | 'organizer_name' | 'organizer_email' | 'organizer_time_zone' | 'attendees' | 'phone' | 'notes' | 'location' | 'metadata'
  | 'reschedule_reason' | 'rescheduled_by' | 'cancellation_reason' | 'cancelled_by' | 'request_reschedule' | 'rejection_reason'
  | 'no_show' | 'payment_status' | 'payment_id' | 'recurring_event_id';

/** A new appointment's values (what `appointmentInsert` takes): its state's columns, where it came from, when. */
export type AppointmentValues = StateColumns & { source: string; at: string };

export function appointmentValues(state: AppointmentState, source: string, at: string): AppointmentValues {
  return { ...stateColumns(state), source, at };
}

export async function insertAppointment(db: Db, state: AppointmentState, source: string, at: string): Promise<number> {
  return (await insertAppointmentRow(db, appointmentValues(state, source, at), 'unchecked')).id;
}

/**
 * Inserts a new appointment and, in the same statement, finds whether it overlaps an active appointment of
 * the same organizer (the look-up `selectActiveOverlapping` makes, as `exists`); its `conflict` flag starts
 * as that answer. `overlaps` false means the overlap refresh of the new row has nothing to do.
 */
export async function insertAppointmentCheckingOverlap(
  db: Db,
  state: AppointmentState,
  source: string,
  at: string,
): Promise<{ id: number; overlaps: boolean }> {
  const values = appointmentValues(state, source, at);
  const row = await insertAppointmentRow(db, values, overlapCheck(values));
  return { id: row.id, overlaps: Number(row.conflict) === 1 };
}

/**
 * Whether a new appointment's insert checks for overlaps: only an active one with an organizer and times can
 * overlap anything (a statement's shape, see compiled.ts).
 */
export function overlapCheck(values: AppointmentValues): OverlapCheck {
  const checked = isActive(values.status as AppointmentStatus) && values.organizer_email && values.start_time && values.end_time;
  return checked ? 'checked' : 'unchecked';
}

export type OverlapCheck = 'checked' | 'unchecked';

/**
 * The `conflict` value of a new appointment: whether it overlaps an active appointment of the same organizer
 * (the look-up `selectActiveOverlapping` makes, as `exists`), or 0 for one that cannot overlap.
 */
export function overlapFlag(values: AppointmentValues, check: OverlapCheck): number | RawBuilder<unknown> {
  if (check === 'unchecked') return 0;
  return sql`(case when exists (
      select 1 from appointments
      where organizer_email = ${values.organizer_email} and end_time > ${values.start_time} and start_time < ${values.end_time}
        and status in (${sql.join(ACTIVE_STATUSES)}) and merged_into is null
    ) then 1 else 0 end)`;
}

async function insertAppointmentRow(db: Db, values: AppointmentValues, check: OverlapCheck): Promise<{ id: number; conflict: number }> {
  const { rows } = await (check === 'checked' ? INSERT_APPOINTMENT_CHECKING_OVERLAP : INSERT_APPOINTMENT)(db, values);
  const row = rows[0];
  if (row === undefined) throw new Error('insert into appointments returned no id');
  return row;
}

/** A new appointment with conflict 0 (left to the overlap refresh). */
const INSERT_APPOINTMENT = compiledStatement('insert-appointment', (values: AppointmentValues) => appointmentInsert(values, 0));

/** A new appointment whose conflict flag is whether it overlaps an active one of its organizer. */
const INSERT_APPOINTMENT_CHECKING_OVERLAP = compiledStatement('insert-appointment-checking-overlap', (values: AppointmentValues) =>
  appointmentInsert(values, overlapFlag(values, 'checked')),
);

/** `insert into appointments ... returning id, conflict` of a new appointment (version 1). */
export function appointmentInsert(values: AppointmentValues, conflict: number | RawBuilder<unknown>): RawBuilder<{ id: number; conflict: number }> {
  const { at, ...columns } = values;
  const all: Record<string, unknown> = { ...columns, conflict, version: 1, created_at: at, updated_at: at };
  const names = Object.keys(all);
  return sql<{ id: number; conflict: number }>`
    insert into appointments (${sql.raw(names.map((n) => `"${n}"`).join(', '))}, merged_into)
    values (${sql.join(names.map((n) => all[n]))}, null)
    returning id, conflict`;
}

/** Writes the derived state when it differs from the row; returns the new version, or null when unchanged. */
export async function updateAppointmentState(db: Db, current: AppointmentRow, state: AppointmentState, at: string): Promise<number | null> {
  const update = appointmentUpdate(current, state, at);
  if (update === null) return null;
  await writeAppointmentUpdate(db, update);
  return update.version;
}

export async function writeAppointmentUpdate(db: Db, update: AppointmentUpdate): Promise<void> {
  await UPDATE_APPOINTMENT(db, update);
}

/** An appointment's new state over its row: its columns, next version and when. */
export type AppointmentUpdate = { id: number; columns: StateColumns; version: number; at: string };

/**
 * The update that writes the derived state over `current` (its next version), or null when the state is
 * what the row already holds.
 */
export function appointmentUpdate(current: AppointmentRow, state: AppointmentState, at: string): AppointmentUpdate | null {
  const columns = stateColumns(state);
  const names = Object.keys(columns) as (keyof StateColumns)[];
  if (!names.some((k) => columns[k] !== current[k])) return null;
  return { id: current.id, columns, version: current.version + 1, at };
}

/** `update appointments set ...` of an AppointmentUpdate. */
export function appointmentUpdateSql(update: AppointmentUpdate): RawBuilder<unknown> {
  const names = Object.keys(update.columns) as (keyof StateColumns)[];
  const sets = names.map((k) => sql`${sql.ref(k)} = ${update.columns[k]}`);
  return sql`update appointments set ${sql.join(sets)}, version = ${update.version}, updated_at = ${update.at} where id = ${update.id}`;
}

const UPDATE_APPOINTMENT = compiledStatement('update-appointment', appointmentUpdateSql);

/** Reads a row back into the domain state (for appointments that have no events yet, e.g. made through the API). */
export function rowToState(row: AppointmentRow, previousUids: string[]): AppointmentState {
  const attendees = (JSON.parse(row.attendees) as { name: string | null; email: string; time_zone: string | null; no_show: boolean }[]).map(
    (a): Attendee => ({ name: a.name, email: a.email, timeZone: a.time_zone, noShow: a.no_show }),
  );
  return {
    uid: row.calcom_booking_uid ?? '',
    previousUids,
    bookingId: row.calcom_booking_id,
    eventTypeId: row.event_type_id,
    eventType: row.event_type,
    title: row.title,
    startTime: row.start_time,
    endTime: row.end_time,
    organizer: row.organizer_email ? { name: row.organizer_name, email: row.organizer_email, timeZone: row.organizer_time_zone } : null,
    attendees,
    phone: row.phone,
    notes: row.notes,
    location: row.location,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    status: row.status as AppointmentStatus,
    rescheduleReason: row.reschedule_reason,
    rescheduledBy: row.rescheduled_by,
    cancellationReason: row.cancellation_reason,
    cancelledBy: row.cancelled_by,
    requestReschedule: row.request_reschedule === 1,
    rejectionReason: row.rejection_reason,
    noShow: row.no_show === 1,
    payment: row.payment_status ? { status: row.payment_status as 'initiated' | 'paid', paymentId: row.payment_id } : null,
    ...(row.recurring_event_id ? { recurringEventId: row.recurring_event_id } : {}),
  };
}

/** Active appointments of one organizer overlapping [start, end), other than `excludeId`. */
export async function selectActiveOverlapping(
  db: Db,
  organizerEmail: string,
  startTime: string,
  endTime: string,
  excludeId: number,
  limit: number,
): Promise<Pick<AppointmentRow, 'id' | 'start_time' | 'end_time' | 'conflict'>[]> {
  const { rows } = await sql<Pick<AppointmentRow, 'id' | 'start_time' | 'end_time' | 'conflict'>>`
    select id, start_time, end_time, conflict from appointments
    where organizer_email = ${organizerEmail} and end_time > ${startTime} and start_time < ${endTime}
      and status in (${sql.join(ACTIVE_STATUSES)}) and merged_into is null and id <> ${excludeId}
    order by id
    limit ${limit}`.execute(db);
  return rows;
}

/** Flags every active appointment of the organizer overlapping [start, end), other than `excludeId`. */
export async function markOverlappingConflicting(db: Db, organizerEmail: string, startTime: string, endTime: string, excludeId: number): Promise<void> {
  await db
    .updateTable('appointments')
    .set({ conflict: 1 })
    .where('organizer_email', '=', organizerEmail)
    .where('status', 'in', ACTIVE_STATUSES)
    .where('merged_into', 'is', null)
    .where('start_time', '<', endTime)
    .where('end_time', '>', startTime)
    .where('id', '!=', excludeId)
    .where('conflict', '=', 0)
    .execute();
}

export async function setConflictFlag(db: Db, id: number, conflict: boolean): Promise<void> {
  await db.updateTable('appointments').set({ conflict: conflict ? 1 : 0 }).where('id', '=', id).execute();
}

/**
 * Clears the flag of every active appointment of the organizer overlapping [start, end) (other than
 * `excludeId`) that no longer overlaps any other active appointment: one statement however many there are.
 */
export async function clearResolvedConflicts(db: Db, organizerEmail: string, startTime: string, endTime: string, excludeId: number): Promise<void> {
  await sql`
    update appointments set conflict = 0
    where organizer_email = ${organizerEmail} and end_time > ${startTime} and start_time < ${endTime}
      and status in (${sql.join(ACTIVE_STATUSES)}) and merged_into is null and id <> ${excludeId} and conflict = 1
      and not exists (
        select 1 from appointments other
        where other.organizer_email = appointments.organizer_email and other.id <> appointments.id
          and other.end_time > appointments.start_time and other.start_time < appointments.end_time
          and other.status in (${sql.join(ACTIVE_STATUSES)}) and other.merged_into is null
      )`.execute(db);
}

export interface AppointmentFilter {
  calcomUid?: string;
  status?: string;
  recurringEventId?: string;
  limit: number;
  beforeId?: number;
}

export async function selectAppointments(db: Db, filter: AppointmentFilter): Promise<AppointmentRow[]> {
  let q = db.selectFrom('appointments').selectAll('appointments').where('merged_into', 'is', null);
  if (filter.calcomUid !== undefined) {
    const uid = filter.calcomUid;
    q = q.where('id', 'in', (sub) => sub.selectFrom('appointment_uids').select('appointment_id').where('uid', '=', uid));
  }
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.recurringEventId !== undefined) q = q.where('recurring_event_id', '=', filter.recurringEventId);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return q.orderBy('id', 'desc').limit(filter.limit).execute();
}

/** Where appointments sit (organizer and times), to choose the locks of an overlap check. */
export async function selectPlacementsOf(
  db: Db,
  ids: readonly number[],
): Promise<{ organizer_email: string | null; start_time: string | null; end_time: string | null }[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('appointments').select(['organizer_email', 'start_time', 'end_time']).where('id', 'in', [...ids]).execute();
}
