// Tables of the Notion mirror. The appointment → page link itself is sink_state.external_id; these hold what
// the sink needs besides: which page is each client's, which Sessions pages existed before this store first
// connected, and which creates may have reached Notion without an answer.
import type { Kysely } from 'kysely';
import type { DialectQuirks } from '../dialect.js';

export async function up(db: Kysely<unknown>, quirks: DialectQuirks): Promise<void> {
  // One Clients page per normalised email; filled on the first find-or-create of that email.
  await db.schema
    .createTable('notion_clients')
    .addColumn('email', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // Sessions pages found by the one-time scan of the Sessions data source (Booking UID → page), so a
  // booking whose page predates this store is updated rather than created again.
  await db.schema
    .createTable('notion_known_sessions')
    .addColumn('booking_uid', 'text', (c) => c.primaryKey())
    .addColumn('page_id', 'text', (c) => c.notNull())
    .execute();

  // A create sent for these uids has not been answered with a page id yet (timeout, 5xx, crash): the page
  // may exist, so the next attempt looks it up by Booking UID before creating.
  await db.schema
    .createTable('notion_session_creates')
    .addColumn('booking_uid', 'text', (c) => c.primaryKey())
    .addColumn('appointment_id', 'integer', (c) => c.notNull())
    .addColumn('attempted_at_ms', quirks.epochMsType, (c) => c.notNull())
    .execute();
}
