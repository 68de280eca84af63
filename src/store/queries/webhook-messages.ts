// The current outbound message of each endpoint and appointment. Rows change only by compare-and-set on
// (message_id, state), so the sink (making or replacing a message), the delivery worker (claiming and
// finishing an attempt) and the API (resend, re-enable) never overwrite each other's decision, on either
// store and across instances. States: pending, sending (claimed; next_attempt_at is the lease), retrying,
// delivered, failed.
import { sql, type Updateable } from 'kysely';
import type { WebhookMessageRow, WebhookMessagesTable } from '../schema.js';
import type { Db } from '../store.js';

/** States a sender may claim; `sending` only once its lease has run out (its sender died). */
const DUE_STATES = ['pending', 'retrying', 'sending'];

export async function selectWebhookMessage(db: Db, endpointId: string, appointmentId: number): Promise<WebhookMessageRow | undefined> {
  return db.selectFrom('webhook_messages').selectAll().where('endpoint_id', '=', endpointId).where('appointment_id', '=', appointmentId).executeTakeFirst();
}

export async function selectWebhookMessageById(db: Db, messageId: string): Promise<WebhookMessageRow | undefined> {
  return db.selectFrom('webhook_messages').selectAll().where('message_id', '=', messageId).executeTakeFirst();
}

/** The first message of an endpoint and appointment; false when one exists already (someone was first). */
export async function insertWebhookMessage(db: Db, row: WebhookMessageRow): Promise<boolean> {
  const result = await db
    .insertInto('webhook_messages')
    .values(row)
    .onConflict((oc) => oc.columns(['endpoint_id', 'appointment_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export interface MessageReplacement {
  message_id: string;
  version: number;
  event_type: string;
  body: string;
  state: string;
  next_attempt_at: number;
  created_at: string;
}

/**
 * Puts a new message in place of `expected` (same message id and state as read); false when the row
 * changed meanwhile (the caller reads again). Attempts start over.
 */
export async function replaceWebhookMessage(db: Db, expected: Pick<WebhookMessageRow, 'message_id' | 'state'>, next: MessageReplacement, at: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_messages')
    .set({ ...next, attempts: 0, last_attempt_at: null, last_status: null, last_error: null, updated_at: at })
    .where('message_id', '=', expected.message_id)
    .where('state', '=', expected.state)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function selectDueWebhookMessages(db: Db, endpointId: string, nowMs: number, limit: number): Promise<WebhookMessageRow[]> {
  return db
    .selectFrom('webhook_messages')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .where('state', 'in', DUE_STATES)
    .where('next_attempt_at', '<=', nowMs)
    .orderBy('next_attempt_at')
    .orderBy('appointment_id')
    .limit(limit)
    .execute();
}

/** Takes a due message for one attempt, leased until `leaseUntilMs`; false when someone else took it or it changed. */
export async function claimWebhookMessage(db: Db, messageId: string, nowMs: number, leaseUntilMs: number, at: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_messages')
    .set({ state: 'sending', next_attempt_at: leaseUntilMs, updated_at: at })
    .where('message_id', '=', messageId)
    .where('state', 'in', DUE_STATES)
    .where('next_attempt_at', '<=', nowMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface AttemptOutcome {
  status: number | null;
  error: string | null;
  at: string;
}

/** The claimed message reached the endpoint. False when it was replaced meanwhile (see releaseReplacedMessage). */
export async function markWebhookMessageDelivered(db: Db, messageId: string, outcome: AttemptOutcome): Promise<boolean> {
  return finishAttempt(db, messageId, outcome, { state: 'delivered', heard: 1, next_attempt_at: 0, last_error: null, delivered_at: outcome.at });
}

/**
 * The claimed message failed: `retrying` at `nextAttemptAtMs`, or `failed` (given up) when that is null.
 * False when it was replaced meanwhile.
 */
export async function markWebhookMessageFailed(db: Db, messageId: string, outcome: AttemptOutcome, nextAttemptAtMs: number | null): Promise<boolean> {
  return finishAttempt(db, messageId, outcome, {
    state: nextAttemptAtMs === null ? 'failed' : 'retrying',
    next_attempt_at: nextAttemptAtMs ?? 0,
    last_error: outcome.error,
  });
}

/** Records the end of the claimed attempt (one more attempt) with its outcome fields; false when the message was replaced meanwhile. */
async function finishAttempt(
  db: Db,
  messageId: string,
  outcome: AttemptOutcome,
  fields: Pick<Updateable<WebhookMessagesTable>, 'state' | 'heard' | 'next_attempt_at' | 'last_error' | 'delivered_at'>,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_messages')
    .set({
      ...fields,
      attempts: sql<number>`attempts + 1`,
      last_attempt_at: outcome.at,
      last_status: outcome.status,
      updated_at: outcome.at,
    })
    .where('message_id', '=', messageId)
    .where('state', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * A message replaced while an attempt of the older one was in flight waits (as `sending`) for that attempt
 * to end, so versions never overtake each other; then it is due at once. `heard` tells whether the older
 * one arrived.
 */
export async function releaseReplacedMessage(
  db: Db,
  endpointId: string,
  appointmentId: number,
  exceptMessageId: string,
  leaseUntilMs: number,
  heard: boolean,
  nowMs: number,
  at: string,
): Promise<void> {
  await db
    .updateTable('webhook_messages')
    .set({
      state: 'pending',
      next_attempt_at: nowMs,
      ...(heard ? { heard: 1 } : {}),
      updated_at: at,
    })
    .where('endpoint_id', '=', endpointId)
    .where('appointment_id', '=', appointmentId)
    .where('message_id', '!=', exceptMessageId)
    .where('state', '=', 'sending')
    // Still waiting on this very attempt's lease: a sender that took it since (the lease ran out) keeps it.
    .where('next_attempt_at', '=', leaseUntilMs)
    .execute();
}

/** Gives a claim back untouched (the worker is stopping or lost leadership): due at once, attempts unchanged. */
export async function releaseWebhookClaim(db: Db, messageId: string, nowMs: number, at: string): Promise<void> {
  await db
    .updateTable('webhook_messages')
    .set(dueAgain(nowMs, at))
    .where('message_id', '=', messageId)
    .where('state', '=', 'sending')
    .execute();
}

/** Claims of an earlier sender (a crashed process, a deposed leader) become due at `dueAtMs`. */
export async function resetInterruptedSends(db: Db, dueAtMs: number, at: string): Promise<number> {
  const result = await db
    .updateTable('webhook_messages')
    .set(dueAgain(dueAtMs, at))
    .where('state', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A claim given back untouched: waiting again as before it was taken (retrying once it has been attempted), due at `dueAtMs`. */
function dueAgain(dueAtMs: number, at: string) {
  return { state: sql<string>`case when attempts > 0 then 'retrying' else 'pending' end`, next_attempt_at: dueAtMs, updated_at: at };
}

/** An endpoint enabled again: what it has not received (waiting, backing off, given up) is due at once. */
export async function restartUndeliveredMessages(db: Db, endpointId: string, nowMs: number, at: string): Promise<number> {
  const result = await db
    .updateTable('webhook_messages')
    .set({ state: 'pending', attempts: 0, next_attempt_at: nowMs, updated_at: at })
    .where('endpoint_id', '=', endpointId)
    .where('state', 'in', ['pending', 'retrying', 'failed'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Recent messages of an endpoint for the admin page, newest change first. */
export async function selectRecentWebhookMessages(db: Db, endpointId: string, limit: number): Promise<WebhookMessageRow[]> {
  return db.selectFrom('webhook_messages').selectAll().where('endpoint_id', '=', endpointId).orderBy('updated_at', 'desc').orderBy('appointment_id', 'desc').limit(limit).execute();
}

export async function countWebhookMessagesByState(db: Db, endpointId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('webhook_messages')
    .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('endpoint_id', '=', endpointId)
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** Changes the type (and body) of a message no attempt has sent yet; false when it changed meanwhile. */
export async function retypeUnsentMessage(
  db: Db,
  expected: Pick<WebhookMessageRow, 'message_id' | 'state' | 'next_attempt_at'>,
  eventType: string,
  body: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_messages')
    .set({ event_type: eventType, body, updated_at: at })
    .where('message_id', '=', expected.message_id)
    .where('state', '=', expected.state)
    // Unchanged since read: in particular not claimed by a sender (a claim sets a new lease).
    .where('next_attempt_at', '=', expected.next_attempt_at)
    .where('attempts', '=', 0)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
