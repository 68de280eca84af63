// Admin sessions move from process memory to the store (issue 11 item 7), so logging out and expiry hold
// across restarts and instances. Only the SHA-256 of each session token is kept, never the token.
import type { Kysely } from 'kysely';
import type { DialectQuirks } from '../dialect.js';

export async function up(db: Kysely<unknown>, quirks: DialectQuirks): Promise<void> {
  await db.schema
    .createTable('admin_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('expires_at_ms', quirks.epochMsType, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // The purge deletes the oldest expiries first, a batch at a time.
  await db.schema.createIndex('admin_sessions_expires').on('admin_sessions').column('expires_at_ms').execute();
}
