// Issue 14: fewer index pages written per event. Every index an insert touches is one more page in the commit
// (bench/storage-floor.ts: the commit's cost follows its pages), and two of them held an entry for nearly every
// row although only a few rows are ever looked up through them:
// - events by (result, id): the event log filtered by result. Nearly every event is `processed`, and the log
//   finds those newest first by id alone; the index now holds only the other results (parked, skipped), which
//   the log filter and its counts look up (their queries say `result <> 'processed'`, so SQLite uses it too).
// - appointments by recurring_event_id: only occurrences of a recurring series carry one; the others were
//   indexed under null. Look-ups by a series id (`recurring_event_id = ?`) use the partial index on both stores.
// About 2 of a new booking's ~21 pages per commit.
import { sql, type Kysely } from 'kysely';
import type { DialectQuirks } from '../dialect.js';

export async function up(db: Kysely<unknown>, _quirks: DialectQuirks): Promise<void> {
  await db.schema.dropIndex('events_result').execute();
  await db.schema.createIndex('events_unprocessed').on('events').columns(['result', 'id']).where(sql.raw<boolean>(`result <> 'processed'`)).execute();
  await db.schema.dropIndex('appointments_recurring_event_id').execute();
  await db.schema
    .createIndex('appointments_recurring_event_id')
    .on('appointments')
    .column('recurring_event_id')
    .where(sql.raw<boolean>('recurring_event_id is not null'))
    .execute();
}
