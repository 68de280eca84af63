// Outbound webhook endpoints: what people register through the API, and each endpoint's health (last
// status, failing since) as the delivery worker records it.
import type { WebhookEndpointRow } from '../schema.js';
import type { Db } from '../store.js';

export async function insertWebhookEndpoint(db: Db, row: WebhookEndpointRow): Promise<void> {
  await db.insertInto('webhook_endpoints').values(row).execute();
}

export async function selectWebhookEndpoints(db: Db): Promise<WebhookEndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at_ms').orderBy('id').execute();
}

export async function selectEnabledWebhookEndpoints(db: Db): Promise<WebhookEndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('enabled', '=', 1).orderBy('created_at_ms').orderBy('id').execute();
}

export async function selectWebhookEndpoint(db: Db, id: string): Promise<WebhookEndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface WebhookEndpointPatch {
  url?: string;
  description?: string | null;
  enabled?: boolean;
}

/** Applies a change; enabling clears the failure record and the reason it was disabled. False: no such endpoint. */
export async function updateWebhookEndpoint(db: Db, id: string, patch: WebhookEndpointPatch, at: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.enabled === true ? { enabled: 1, disabled_reason: null, failing_since: null, failing_since_ms: null } : {}),
      ...(patch.enabled === false ? { enabled: 0, disabled_reason: 'disabled through the API' } : {}),
      updated_at: at,
    })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Removes an endpoint with its messages and their attempts. False: no such endpoint. */
export async function deleteWebhookEndpoint(db: Db, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
    await trx.deleteFrom('webhook_messages').where('endpoint_id', '=', id).execute();
    const result = await trx.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  });
}

export async function recordEndpointSuccess(db: Db, id: string, status: number, at: string): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ last_delivery_at: at, last_status: status, last_error: null, failing_since: null, failing_since_ms: null, updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Records a failed attempt; returns since when (epoch ms) the endpoint has failed without a success. */
export async function recordEndpointFailure(db: Db, id: string, status: number | null, error: string, nowMs: number, at: string): Promise<number | null> {
  await db
    .updateTable('webhook_endpoints')
    .set((eb) => ({
      last_delivery_at: at,
      last_status: status,
      last_error: error,
      failing_since: eb.fn.coalesce('failing_since', eb.val(at)),
      failing_since_ms: eb.fn.coalesce('failing_since_ms', eb.val(nowMs)),
      updated_at: at,
    }))
    .where('id', '=', id)
    .execute();
  const row = await db.selectFrom('webhook_endpoints').select('failing_since_ms').where('id', '=', id).executeTakeFirst();
  return row?.failing_since_ms ?? null;
}

/** Disables an endpoint that has failed too long (only if it still has not succeeded since). */
export async function disableFailingEndpoint(db: Db, id: string, reason: string, failingSinceMs: number, at: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({ enabled: 0, disabled_reason: reason, updated_at: at })
    .where('id', '=', id)
    .where('enabled', '=', 1)
    .where('failing_since_ms', '=', failingSinceMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * With no endpoint at all, the outbound-webhooks sink has nothing to make for any change: its pending rows
 * are settled in one statement instead of being claimed, loaded and completed one by one. A row becomes
 * `synced` at its appointment's current version; rows of appointments that no longer exist are left to the
 * worker (it records them as failed). Returns how many rows were settled.
 *
 * Races (endpoint created concurrently): the statement sees the endpoints committed when it starts, like a
 * sync that reads them; a change committed after it marks the row pending again (intake's upsert), and
 * that later change is then synced normally for the endpoint. `next_attempt_at <= nowMs` leaves alone a
 * row dirtied after the pass began: on PostgreSQL an UPDATE that waits for intake's row lock re-checks only
 * the row's own columns, not the endpoints or the version it read at its start, so such a row (whose
 * change may come after an endpoint's creation) goes through the normal sync instead.
 */
export async function settleWebhookTasksWithoutEndpoints(db: Db, sink: string, nowMs: number, at: string): Promise<number> {
  const result = await db
    .updateTable('sink_state')
    .set((eb) => ({
      state: 'synced',
      synced_version: eb.selectFrom('appointments').select('appointments.version').whereRef('appointments.id', '=', 'sink_state.appointment_id'),
      attempts: 0,
      next_attempt_at: 0,
      last_error: null,
      updated_at: at,
    }))
    .where('sink_state.sink', '=', sink)
    .where('sink_state.state', '=', 'pending')
    .where('sink_state.next_attempt_at', '<=', nowMs)
    .where((eb) =>
      eb.and([
        eb.not(eb.exists(eb.selectFrom('webhook_endpoints').select(eb.lit(1).as('one')))),
        eb.exists(eb.selectFrom('appointments').select(eb.lit(1).as('one')).whereRef('appointments.id', '=', 'sink_state.appointment_id')),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
