// How sink workers take and finish work on sink_state rows. States beyond the ones intake writes:
// `syncing` (claimed by a worker; next_attempt_at is the lease, after which another pass may take it) and
// `retired` (an orphaned duplicate whose external object was removed).
import { sql } from 'kysely';
import type { StoreLocks } from '../locks.js';
import type { AppointmentRow, SinkStateRow } from '../schema.js';
import type { Db } from '../store.js';

/** States a worker looks at; `syncing` only once its lease has run out (its worker died). */
const DUE_STATES = ['pending', 'retrying', 'orphaned', 'syncing'];

export async function selectDueSinkRows(db: Db, sink: string, nowMs: number, limit: number): Promise<SinkStateRow[]> {
  return db
    .selectFrom('sink_state')
    .selectAll()
    .where('sink', '=', sink)
    .where('state', 'in', DUE_STATES)
    .where('next_attempt_at', '<=', nowMs)
    .orderBy('next_attempt_at')
    .orderBy('appointment_id')
    .limit(limit)
    .execute();
}

/**
 * Takes a due row for one worker: `syncing` with a lease (orphans keep their state; the lease alone marks
 * them taken). False when the row is no longer due (another pass or instance took it, or it changed).
 */
export async function claimSinkRow(db: Db, sink: string, appointmentId: number, nowMs: number, leaseUntilMs: number, at: string): Promise<boolean> {
  const result = await db
    .updateTable('sink_state')
    .set({
      state: sql<string>`case when state = 'orphaned' then 'orphaned' else 'syncing' end`,
      next_attempt_at: leaseUntilMs,
      updated_at: at,
    })
    .where('sink', '=', sink)
    .where('appointment_id', '=', appointmentId)
    .where('state', 'in', DUE_STATES)
    .where('next_attempt_at', '<=', nowMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Stores the external object's id as soon as it is known, before the rest of the sync can fail. */
export async function saveSinkExternalId(db: Db, sink: string, appointmentId: number, externalId: string, at: string): Promise<void> {
  await db
    .updateTable('sink_state')
    .set({ external_id: externalId, updated_at: at })
    .where('sink', '=', sink)
    .where('appointment_id', '=', appointmentId)
    .execute();
}

/**
 * Records a successful sync of `syncedVersion`. If the appointment moved on meanwhile, the row stays
 * pending for another pass. On PostgreSQL the appointment row is locked first, as intake locks it before
 * bumping the version and marking sinks dirty, so the two cannot overwrite each other's verdict.
 */
export async function completeSinkSync(
  db: Db,
  locks: Pick<StoreLocks, 'appointments'>,
  sink: string,
  appointmentId: number,
  result: { externalId: string | null; syncedVersion: number },
  nowMs: number,
  at: string,
): Promise<'synced' | 'pending' | 'orphaned'> {
  return db.transaction().execute(async (trx) => {
    // The store's row lock (a no-op where one process writes, whose transactions are already serial).
    await locks.appointments(trx, [appointmentId]);
    const locked = await sql<{ version: number | string }>`select version from appointments where id = ${appointmentId}`.execute(trx);
    const current = Number(locked.rows[0]?.version ?? result.syncedVersion);
    const state = current > result.syncedVersion ? 'pending' : 'synced';
    const fields = { external_id: result.externalId, synced_version: result.syncedVersion, attempts: 0, last_error: null, updated_at: at };
    // A row orphaned while its sync was in flight (the appointment was merged into another) stays orphaned,
    // due now, so that the object this sync just made or updated is retired instead of left live.
    const orphan = await trx
      .updateTable('sink_state')
      .set({ ...fields, next_attempt_at: nowMs })
      .where('sink', '=', sink)
      .where('appointment_id', '=', appointmentId)
      .where('state', '=', 'orphaned')
      .executeTakeFirst();
    if (Number(orphan.numUpdatedRows) > 0) return 'orphaned';
    await trx
      .updateTable('sink_state')
      .set({ ...fields, state, next_attempt_at: state === 'pending' ? nowMs : 0 })
      .where('sink', '=', sink)
      .where('appointment_id', '=', appointmentId)
      .execute();
    return state;
  });
}

/** A transient failure: back off until `nextAttemptAtMs`, keeping the error for the API. */
export async function failSinkSync(db: Db, sink: string, appointmentId: number, message: string, nextAttemptAtMs: number, at: string): Promise<void> {
  await db
    .updateTable('sink_state')
    .set({
      // A row intake marked dirty while it was being synced is retried on the backoff schedule all the same.
      state: sql<string>`case when state = 'orphaned' then 'orphaned' else 'retrying' end`,
      attempts: sql<number>`attempts + 1`,
      next_attempt_at: nextAttemptAtMs,
      last_error: message,
      updated_at: at,
    })
    .where('sink', '=', sink)
    .where('appointment_id', '=', appointmentId)
    .where('state', 'in', ['syncing', 'pending', 'retrying', 'orphaned'])
    .execute();
}

/**
 * A permanent failure of this version (e.g. the outside system refused the values): `failed` until a new
 * version arrives (markSinksDirty turns it back into pending). A row dirtied meanwhile stays pending.
 */
export async function failSinkSyncPermanently(db: Db, sink: string, appointmentId: number, message: string, at: string): Promise<void> {
  await db
    .updateTable('sink_state')
    .set({
      state: sql<string>`case when state = 'syncing' then 'failed' else state end`,
      next_attempt_at: sql<number>`case when state = 'syncing' then 0 else next_attempt_at end`,
      attempts: sql<number>`attempts + 1`,
      last_error: message,
      updated_at: at,
    })
    .where('sink', '=', sink)
    .where('appointment_id', '=', appointmentId)
    .execute();
}

/** Gives a claimed row back untouched (the worker is stopping or lost leadership), due at once. */
export async function releaseSinkClaim(db: Db, sink: string, appointmentId: number, nowMs: number, at: string): Promise<void> {
  await db
    .updateTable('sink_state')
    .set({
      state: sql<string>`case when state = 'syncing' then (case when attempts > 0 then 'retrying' else 'pending' end) else state end`,
      next_attempt_at: nowMs,
      updated_at: at,
    })
    .where('sink', '=', sink)
    .where('appointment_id', '=', appointmentId)
    .where('state', 'in', ['syncing', 'orphaned'])
    .execute();
}

/** Rows a previous worker (a crashed process, a deposed leader) had claimed become due at `dueAtMs`. */
export async function resetInterruptedClaims(db: Db, sink: string, dueAtMs: number, at: string): Promise<number> {
  const result = await db
    .updateTable('sink_state')
    .set({
      state: sql<string>`case when attempts > 0 then 'retrying' else 'pending' end`,
      next_attempt_at: dueAtMs,
      updated_at: at,
    })
    .where('sink', '=', sink)
    .where('state', '=', 'syncing')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** An orphaned duplicate's external object is gone. */
export async function retireSinkRow(db: Db, sink: string, appointmentId: number, at: string): Promise<void> {
  await db
    .updateTable('sink_state')
    .set({ state: 'retired', next_attempt_at: 0, last_error: null, updated_at: at })
    .where('sink', '=', sink)
    .where('appointment_id', '=', appointmentId)
    .where('state', '=', 'orphaned')
    .execute();
}

/** Whether another row of the sink (a live appointment) uses this external object. */
export async function isExternalIdInUse(db: Db, sink: string, externalId: string, exceptAppointmentId: number): Promise<boolean> {
  const row = await db
    .selectFrom('sink_state')
    .select('appointment_id')
    .where('sink', '=', sink)
    .where('external_id', '=', externalId)
    .where('appointment_id', '!=', exceptAppointmentId)
    .where('state', 'not in', ['orphaned', 'retired'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function countSinkRowsByState(db: Db, sink: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('sink_state')
    .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('sink', '=', sink)
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** A batch of appointments by id (what a sink worker hands its sink, once presented). */
export async function selectAppointmentsByIds(db: Db, appointmentIds: readonly number[]): Promise<AppointmentRow[]> {
  if (appointmentIds.length === 0) return [];
  return db.selectFrom('appointments').selectAll().where('id', 'in', appointmentIds).execute();
}

/**
 * Gives up to `limit` stored appointments that have no row for the sink a pending one (oldest first), so a
 * sink switched on later mirrors them too; merged records are left out (their survivor carries them).
 * `sinceIso` limits it to appointments changed at or after then. Returns how many rows were added.
 */
export async function backfillSinkRows(db: Db, sink: string, limit: number, nowMs: number, at: string, sinceIso: string | null = null): Promise<number> {
  const since = sinceIso === null ? sql`` : sql`and a.updated_at >= ${sinceIso}`;
  // `on conflict do nothing`: intake may add the same row meanwhile (it marks every change dirty).
  const result = await sql`
    insert into sink_state (sink, appointment_id, synced_version, state, external_id, attempts, next_attempt_at, last_error, updated_at)
    select ${sink}, a.id, 0, 'pending', null, 0, cast(${nowMs} as bigint), null, ${at}
    from appointments a
    where a.merged_into is null ${since}
      and not exists (select 1 from sink_state s where s.sink = ${sink} and s.appointment_id = a.id)
    order by a.id
    limit ${limit}
    on conflict (sink, appointment_id) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Marks a sink's rows for re-mirroring (all, or those of appointments changed at or after `sinceIso`): due
 * now, attempts from zero, whatever version they show. Rows being synced, orphaned or retired keep their
 * state (the sync in flight writes the current version anyway). Returns how many rows were marked.
 */
export async function markSinkRowsForResync(db: Db, sink: string, sinceIso: string | null, nowMs: number, at: string): Promise<number> {
  let query = db
    .updateTable('sink_state')
    .set({ state: 'pending', next_attempt_at: nowMs, attempts: 0, updated_at: at })
    .where('sink', '=', sink)
    .where('state', 'in', ['synced', 'pending', 'retrying', 'failed']);
  if (sinceIso !== null) {
    query = query.where('appointment_id', 'in', (eb) => eb.selectFrom('appointments').select('id').where('updated_at', '>=', sinceIso));
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
