// Per-appointment sync state of each sink (level-triggered: the row says which version the outside world
// shows; a worker brings it up to the appointment's current version).
import { sql } from 'kysely';
import type { Db } from '../store.js';
import type { SinkStateRow } from '../schema.js';

/**
 * Marks an appointment as needing a sync by each sink. A sink backing off after a failure keeps its
 * schedule (a burst of changes must not hammer an outage); a permanently failed one is retried, since
 * the new version may fix what was refused.
 */
export async function markSinksDirty(db: Db, appointmentId: number, sinks: readonly string[], nowMs: number, at: string): Promise<void> {
  for (const sink of sinks) {
    await db
      .insertInto('sink_state')
      .values({
        sink,
        appointment_id: appointmentId,
        synced_version: 0,
        state: 'pending',
        external_id: null,
        attempts: 0,
        next_attempt_at: nowMs,
        last_error: null,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.columns(['sink', 'appointment_id']).doUpdateSet({
          state: sql<string>`case when sink_state.state = 'retrying' then 'retrying' else 'pending' end`,
          next_attempt_at: sql<number>`case when sink_state.state = 'retrying' then sink_state.next_attempt_at else ${nowMs} end`,
          attempts: sql<number>`case when sink_state.state = 'retrying' then sink_state.attempts else 0 end`,
          updated_at: at,
        }),
      )
      .execute();
  }
}

export async function selectSinkStates(db: Db, appointmentIds: readonly number[]): Promise<SinkStateRow[]> {
  if (appointmentIds.length === 0) return [];
  return db.selectFrom('sink_state').selectAll().where('appointment_id', 'in', appointmentIds).execute();
}

/**
 * When two appointment records prove to be one booking, the survivor adopts the other's external object
 * (e.g. its Notion page) if it has none; otherwise the other's object is a duplicate, marked `orphaned` so
 * the sink can retire it.
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
    if (f.external_id && (!to || !to.external_id)) {
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
    } else {
      await db.deleteFrom('sink_state').where('sink', '=', f.sink).where('appointment_id', '=', fromAppointmentId).execute();
    }
  }
}
