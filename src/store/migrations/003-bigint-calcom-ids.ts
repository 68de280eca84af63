// Cal.com's numeric ids pass validation up to 2^53 - 1, but PostgreSQL `integer` holds only 2^31 - 1: a
// larger bookingId or eventTypeId failed the insert with a 500 instead of being stored (SQLite integers
// are 64-bit already, so only PostgreSQL changes).
import type { Kysely } from 'kysely';
import type { DialectQuirks } from '../dialect.js';

export async function up(db: Kysely<unknown>, quirks: DialectQuirks): Promise<void> {
  if (quirks.name !== 'postgres') return;
  await db.schema
    .alterTable('appointments')
    .alterColumn('calcom_booking_id', (c) => c.setDataType('bigint'))
    .execute();
  await db.schema
    .alterTable('appointments')
    .alterColumn('event_type_id', (c) => c.setDataType('bigint'))
    .execute();
}
