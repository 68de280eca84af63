// The last attempts of each outbound message (time, HTTP status, error, duration), for the admin page.
// Bounded: a message keeps its newest MAX_ATTEMPTS_KEPT, and a replaced message's attempts go with it.
import type { WebhookAttemptRow } from '../schema.js';
import type { Db } from '../store.js';

export const MAX_ATTEMPTS_KEPT = 20;

export async function insertWebhookAttempt(db: Db, attempt: Omit<WebhookAttemptRow, 'id'>): Promise<void> {
  await db.insertInto('webhook_attempts').values(attempt).execute();
  const beyond = await db
    .selectFrom('webhook_attempts')
    .select('id')
    .where('message_id', '=', attempt.message_id)
    .orderBy('id', 'desc')
    .offset(MAX_ATTEMPTS_KEPT)
    .limit(MAX_ATTEMPTS_KEPT)
    .execute();
  if (beyond.length > 0) await db.deleteFrom('webhook_attempts').where('id', 'in', beyond.map((r) => r.id)).execute();
}

export async function selectWebhookAttempts(db: Db, messageId: string): Promise<WebhookAttemptRow[]> {
  return db.selectFrom('webhook_attempts').selectAll().where('message_id', '=', messageId).orderBy('id', 'desc').limit(MAX_ATTEMPTS_KEPT).execute();
}

export async function deleteWebhookAttemptsOf(db: Db, messageId: string): Promise<void> {
  await db.deleteFrom('webhook_attempts').where('message_id', '=', messageId).execute();
}
