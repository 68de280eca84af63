// Per-appointment sync state of each sink (level-triggered: the row says which version the outside world
// shows; a worker brings it up to the appointment's current version).
import { sql, type RawBuilder } from 'kysely';
import { compiledStatement } from '../compiled.js';
import type { Db } from '../db.js';
import type { SinkStateRow } from '../schema.js';

/**
 * Marks an appointment as needing a sync by each sink. A sink backing off after a failure keeps its
 * schedule (a burst of changes must not hammer an outage); a permanently failed one is retried, since
 * the new version may fix what was refused.
 */
export async function markSinksDirty(db: Db, appointmentId: number, sinks: readonly string[], nowMs: number, at: string): Promise<void> {
  // Distinct names: an upsert may not touch the same row twice in one statement.
  const names = distinct(sinks);
  if (names.length > 0) await MARK_SINKS_DIRTY(db, { appointmentId, sinks: names, nowMs, at });
}

const MARK_SINKS_DIRTY = compiledStatement(
  'mark-sinks-dirty',
  ({ appointmentId, sinks, nowMs, at }: { appointmentId: number; sinks: readonly string[]; nowMs: number; at: string }) =>
    sinksDirtyUpsert(appointmentId, sinks, nowMs, at),
);

/** Each name once, in order (the list is a handful of sink names). */
export function distinct(names: readonly string[]): readonly string[] {
  return names.length < 2 || new Set(names).size === names.length ? names : [...new Set(names)];
}

/**
 * markSinksDirty's statement, for composing: one multi-row upsert for every sink (one round trip per event,
 * not one per sink), for distinct sink names (at least one). `appointmentId` may be an expression (the id of
 * a row inserted in the same statement).
 */
export function sinksDirtyUpsert(appointmentId: number | RawBuilder<unknown>, sinks: readonly string[], nowMs: number, at: string): RawBuilder<unknown> {
  const rows = sinks.map((sink) => sql`(${sink}, ${appointmentId}, 0, 'pending', null, 0, ${nowMs}, null, ${at})`);
  return sql`insert into sink_state (sink, appointment_id, synced_version, state, external_id, attempts, next_attempt_at, last_error, updated_at)
    values ${sql.join(rows)}
    on conflict (sink, appointment_id) do update set
      state = case when sink_state.state = 'retrying' then 'retrying' else 'pending' end,
      next_attempt_at = case when sink_state.state = 'retrying' then sink_state.next_attempt_at else ${nowMs} end,
      attempts = case when sink_state.state = 'retrying' then sink_state.attempts else 0 end,
      updated_at = ${at}`;
}

export async function selectSinkStates(db: Db, appointmentIds: readonly number[]): Promise<SinkStateRow[]> {
  if (appointmentIds.length === 0) return [];
  return db.selectFrom('sink_state').selectAll().where('appointment_id', 'in', appointmentIds).execute();
}

/**
 * When two appointment records prove to be one booking, the survivor adopts the other's external object
 * (e.g. its Notion page) if it has none; otherwise the other's object is a duplicate, marked `orphaned` so
 * the sink can retire it. A record whose sync is in flight (claimed, no object recorded yet) is kept as
 * `orphaned` too, so the in-flight work moves with the merge for every sink instead of being forgotten.
 */
export async function adoptSinkStates(db: Db, fromAppointmentId: number, toAppointmentId: number, nowMs: number, at: string): Promise<void> {
  const from = await db.selectFrom('sink_state').selectAll().where('appointment_id', '=', fromAppointmentId).execute();
  for (const f of from) {
    const to = await db
      .selectFrom('sink_state')
      .selectAll()
      .where('sink', '=', f.sink)
      .where('appointment_id', '=', toAppointmentId)
      .executeTakeFirst();
    // A survivor whose own sync is in flight (e.g. creating its object) keeps its row: that sync will record
    // its object there, so the absorbed record's object becomes the duplicate instead.
    const survivorFree = !to || (!to.external_id && to.state !== 'syncing');
    if (f.external_id && survivorFree) {
      if (to) await db.deleteFrom('sink_state').where('sink', '=', f.sink).where('appointment_id', '=', toAppointmentId).execute();
      await db
        .updateTable('sink_state')
        .set({ appointment_id: toAppointmentId, state: 'pending', synced_version: 0, next_attempt_at: nowMs, updated_at: at })
        .where('sink', '=', f.sink)
        .where('appointment_id', '=', fromAppointmentId)
        .execute();
    } else if (f.external_id) {
      await db
        .updateTable('sink_state')
        .set({ state: 'orphaned', next_attempt_at: nowMs, updated_at: at })
        .where('sink', '=', f.sink)
        .where('appointment_id', '=', fromAppointmentId)
        .execute();
    } else if (f.state === 'syncing') {
      // A sync in flight (e.g. a create still waiting for its answer) will record its object on this row:
      // kept as `orphaned`, due when the claim ends, so whatever it makes is retired, not left live.
      await db
        .updateTable('sink_state')
        .set({ state: 'orphaned', updated_at: at })
        .where('sink', '=', f.sink)
        .where('appointment_id', '=', fromAppointmentId)
        .execute();
    } else {
      await db.deleteFrom('sink_state').where('sink', '=', f.sink).where('appointment_id', '=', fromAppointmentId).execute();
    }
  }
}
