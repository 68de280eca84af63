// The append-only event log. Rows are never deleted; a parked row is updated once its booking appears.
// The queries on every webhook's path are written as `sql` templates: Kysely runs them without building and
// compiling a query tree each time, which is a large share of the intake's CPU (see BENCHMARKS.md).
import { sql } from 'kysely';
import type { Db } from '../store.js';
import type { EventResult, EventRow, NewEventRow } from '../schema.js';

export async function selectEventByDedupKey(db: Db, dedupKey: string): Promise<EventRow | undefined> {
  const { rows } = await sql<EventRow>`select * from events where dedup_key = ${dedupKey}`.execute(db);
  return rows[0];
}

/** Inserts unless the dedup key exists (another delivery got there first); returns the new id or null. */
export async function insertEvent(db: Db, row: NewEventRow): Promise<number | null> {
  const { rows } = await sql<{ id: number }>`
    insert into events (received_at, source, trigger, dedup_key, booking_uid, appointment_id, result, action, reason,
                        raw_body, headers, event_json, sent_at, duplicate_count, last_duplicate_at, replay_of, webhook_version)
    values (${row.received_at}, ${row.source}, ${row.trigger}, ${row.dedup_key}, ${row.booking_uid ?? null},
            ${row.appointment_id ?? null}, ${row.result}, ${row.action ?? null}, ${row.reason ?? null}, ${row.raw_body},
            ${row.headers}, ${row.event_json ?? null}, ${row.sent_at ?? null}, 0, ${row.last_duplicate_at ?? null},
            ${row.replay_of ?? null}, ${row.webhook_version ?? null})
    on conflict (dedup_key) do nothing
    returning id`.execute(db);
  return rows[0]?.id ?? null;
}

export async function countDuplicateDelivery(db: Db, id: number, at: string): Promise<void> {
  await db
    .updateTable('events')
    .set({ duplicate_count: sql`duplicate_count + 1`, last_duplicate_at: at })
    .where('id', '=', id)
    .execute();
}

export interface EventOutcomeUpdate {
  result: EventResult;
  appointment_id: number | null;
  action: string | null;
  reason: string | null;
  event_json?: string | null;
  booking_uid?: string | null;
}

export async function updateEventOutcome(db: Db, id: number, outcome: EventOutcomeUpdate): Promise<void> {
  await db.updateTable('events').set(outcome).where('id', '=', id).execute();
}

/** Events folded into one appointment, in log order. */
export async function selectProcessedEventsOf(db: Db, appointmentId: number): Promise<Pick<EventRow, 'id' | 'event_json'>[]> {
  return db
    .selectFrom('events')
    .select(['id', 'event_json'])
    .where('appointment_id', '=', appointmentId)
    .where('result', '=', 'processed')
    .where('event_json', 'is not', null)
    .orderBy('id')
    .execute();
}

/** Parked events that speak of any of these uids (they waited for their booking to appear). */
export async function selectParkedEventsFor(db: Db, uids: readonly string[]): Promise<Pick<EventRow, 'id' | 'event_json' | 'action'>[]> {
  if (uids.length === 0) return [];
  const { rows } = await sql<Pick<EventRow, 'id' | 'event_json' | 'action'>>`
    select id, event_json, action from events
    where booking_uid in (${sql.join(uids)}) and result = 'parked'
    order by id`.execute(db);
  return rows;
}

export async function moveEventsToAppointment(db: Db, fromAppointmentId: number, toAppointmentId: number): Promise<void> {
  await db.updateTable('events').set({ appointment_id: toAppointmentId }).where('appointment_id', '=', fromAppointmentId).execute();
}

export async function selectEventById(db: Db, id: number): Promise<EventRow | undefined> {
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertRejectedDelivery(
  db: Db,
  row: { received_at: string; trigger: string | null; code: string; message: string; booking_uid: string | null },
): Promise<void> {
  await db.insertInto('rejected_deliveries').values(row).execute();
}

/** Keeps the table of refused deliveries bounded. */
export async function pruneRejectedDeliveries(db: Db, keep: number): Promise<void> {
  const cutoff = await db
    .selectFrom('rejected_deliveries')
    .select('id')
    .orderBy('id', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (cutoff) await db.deleteFrom('rejected_deliveries').where('id', '<=', cutoff.id).execute();
}
