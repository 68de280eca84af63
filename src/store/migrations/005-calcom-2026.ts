// Cal.com at the end of 2026 (issue 13): every delivery names its payload version (X-Cal-Webhook-Version), and
// recurring bookings carry the series id they belong to. Both columns are short and bounded by a CHECK, so a
// value that slipped past the wire layer's pattern can never grow a row.
import { sql, type Kysely } from 'kysely';
import type { DialectQuirks } from '../dialect.js';

/** Longer than any Cal.com version (`2026-07-27`) or recurring series id (a uuid), far below anything costly. */
export const WEBHOOK_VERSION_MAX_CHARS = 32;
export const RECURRING_EVENT_ID_MAX_CHARS = 100;

export async function up(db: Kysely<unknown>, _quirks: DialectQuirks): Promise<void> {
  // Null for events that are not webhooks (reconciliation snapshots, bookings calsync created) and for
  // deliveries stored before this migration.
  await db.schema
    .alterTable('events')
    .addColumn('webhook_version', 'text', (c) => c.check(sql`length(webhook_version) <= ${sql.lit(WEBHOOK_VERSION_MAX_CHARS)}`))
    .execute();
  await db.schema
    .alterTable('appointments')
    .addColumn('recurring_event_id', 'text', (c) => c.check(sql`length(recurring_event_id) <= ${sql.lit(RECURRING_EVENT_ID_MAX_CHARS)}`))
    .execute();
  await db.schema.createIndex('appointments_recurring_event_id').on('appointments').column('recurring_event_id').execute();
}
