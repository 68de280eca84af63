// The append-only event log. Rows are never deleted; a parked row is updated once its booking appears.
import { sql } from 'kysely';
import type { Db } from '../store.js';
import type { EventResult, EventRow, NewEventRow } from '../schema.js';

export async function selectEventByDedupKey(db: Db, dedupKey: string): Promise<EventRow | undefined> {
  return db.selectFrom('events').selectAll().where('dedup_key', '=', dedupKey).executeTakeFirst();
}

/** Inserts unless the dedup key exists (another delivery got there first); returns the new id or null. */
export async function insertEvent(db: Db, row: NewEventRow): Promise<number | null> {
  const inserted = await db
    .insertInto('events')
    .values(row)
    .onConflict((oc) => oc.column('dedup_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id ?? null;
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
  return db
    .selectFrom('events')
    .select(['id', 'event_json', 'action'])
    .where('result', '=', 'parked')
    .where('booking_uid', 'in', uids)
    .orderBy('id')
    .execute();
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
