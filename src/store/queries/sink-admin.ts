// What operators read and do about sink sync: the backlog, the failures, and "retry now". The workers'
// own claiming and bookkeeping live with the sinks.
import { sql } from 'kysely';
import type { Db } from '../store.js';
import type { SinkStateRow } from '../schema.js';

/** States a manual retry applies to: a sink that gave up, or one waiting out a backoff. */
export const RETRYABLE_SINK_STATES = ['failed', 'retrying'] as const;

/**
 * Makes a failed (or backing-off) sync due now: state pending, next attempt now, attempts from zero so the
 * worker's backoff starts afresh. last_error stays until a sync succeeds, so the reason remains visible.
 * Returns false when there is no such row in a retryable state (nothing to do).
 */
export async function retrySinkNow(db: Db, sink: string, appointmentId: number, nowMs: number, at: string): Promise<boolean> {
  const result = await db
    .updateTable('sink_state')
    .set({ state: 'pending', next_attempt_at: nowMs, attempts: 0, updated_at: at })
    .where('sink', '=', sink)
    .where('appointment_id', '=', appointmentId)
    .where('state', 'in', RETRYABLE_SINK_STATES)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records that a sink gave up on an appointment (creating the row if needed). Sink workers have their own
 * bookkeeping; this is for operators' tooling and for tests that need a failed sync to exist.
 */
export async function markSinkFailed(db: Db, sink: string, appointmentId: number, error: string, nowMs: number, at: string): Promise<void> {
  await db
    .insertInto('sink_state')
    .values({
      sink,
      appointment_id: appointmentId,
      synced_version: 0,
      state: 'failed',
      external_id: null,
      attempts: 1,
      next_attempt_at: nowMs,
      last_error: error,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.columns(['sink', 'appointment_id']).doUpdateSet({
        state: 'failed',
        attempts: sql<number>`sink_state.attempts + 1`,
        last_error: error,
        updated_at: at,
      }),
    )
    .execute();
}

export async function selectSinkState(db: Db, sink: string, appointmentId: number): Promise<SinkStateRow | undefined> {
  return db.selectFrom('sink_state').selectAll().where('sink', '=', sink).where('appointment_id', '=', appointmentId).executeTakeFirst();
}

export interface SyncBacklogRow {
  sink: string;
  state: string;
  count: number;
  /**
   * Epoch ms of the oldest `appointments.updated_at` among these rows: when the newest change of the
   * longest-waiting appointment was made. A lower bound of how long a change has waited, since
   * sink_state does not record when a row first became dirty.
   */
  oldestChangeMs: number | null;
}

/** Every sink_state row not in sync (pending, retrying, failed, orphaned), grouped by sink and state. */
export async function selectSyncBacklog(db: Db): Promise<SyncBacklogRow[]> {
  const rows = await db
    .selectFrom('sink_state')
    .leftJoin('appointments', 'appointments.id', 'sink_state.appointment_id')
    .select((eb) => [
      'sink_state.sink as sink',
      'sink_state.state as state',
      eb.fn.countAll<number>().as('n'),
      eb.fn.min<string | null>('appointments.updated_at').as('oldest'),
    ])
    .where('sink_state.state', '!=', 'synced')
    .groupBy(['sink_state.sink', 'sink_state.state'])
    .execute();
  return rows.map((r) => {
    const parsed = r.oldest === null ? NaN : Date.parse(r.oldest);
    return { sink: r.sink, state: r.state, count: Number(r.n), oldestChangeMs: Number.isFinite(parsed) ? parsed : null };
  });
}

/** Syncs that failed or are backing off, with their errors, most recently touched first. */
export async function selectSyncFailures(db: Db, limit: number): Promise<SinkStateRow[]> {
  return db
    .selectFrom('sink_state')
    .selectAll()
    .where('state', 'in', RETRYABLE_SINK_STATES)
    .orderBy('updated_at', 'desc')
    .orderBy('appointment_id', 'desc')
    .limit(limit)
    .execute();
}

/** The most recent sync error still on record. */
export async function selectLatestSyncError(db: Db): Promise<SinkStateRow | undefined> {
  return db
    .selectFrom('sink_state')
    .selectAll()
    .where('last_error', 'is not', null)
    .orderBy('updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
