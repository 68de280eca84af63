// Issue 12: what the admin page shows that was visible only in /metrics or not at all.
// - refused_signatures: requests to the webhook endpoint refused for a missing, malformed or wrong
//   signature (the most common set-up mistake: a different secret in Cal.com). Never a body: the reason,
//   the source address, the trigger when the body names one. Bounded (the newest 1,000 are kept).
// - sync_backlog_samples: the sync backlog every few minutes, so the overview can draw it over time.
//   One row per 5-minute bucket (several instances write the same bucket once); a week is kept.
import type { Kysely } from 'kysely';
import type { DialectQuirks } from '../dialect.js';

export async function up(db: Kysely<unknown>, quirks: DialectQuirks): Promise<void> {
  await quirks
    .addIdColumn(db.schema.createTable('refused_signatures'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('source_ip', 'text')
    .addColumn('trigger', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('refused_signatures_received').on('refused_signatures').column('received_at').execute();

  await db.schema
    .createTable('sync_backlog_samples')
    .addColumn('bucket_ms', quirks.epochMsType, (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('backlog', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .execute();
}
