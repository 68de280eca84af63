// Reading the event log for operators (the API and /admin): filtered, newest first, paged by id, plus the
// refused deliveries and the counts of the last day. The intake's own reads and writes are in events.ts.
import type { Db } from '../store.js';
import type { EventResult, EventRow } from '../schema.js';

/** The columns of a listing: everything but the bodies, which only the detail view needs. */
const LISTED_COLUMNS = [
  'id',
  'received_at',
  'source',
  'trigger',
  'dedup_key',
  'booking_uid',
  'appointment_id',
  'result',
  'action',
  'reason',
  'sent_at',
  'duplicate_count',
  'last_duplicate_at',
  'replay_of',
] as const;

export type EventListRow = Pick<EventRow, (typeof LISTED_COLUMNS)[number]>;

export interface EventLogFilter {
  trigger?: string;
  result?: EventResult;
  bookingUid?: string;
  appointmentId?: number;
  /** ISO 8601 UTC, inclusive. */
  since?: string;
  /** ISO 8601 UTC, exclusive. */
  until?: string;
  /** Only rows older than this id (the cursor). */
  beforeId?: number;
  limit: number;
}

export async function selectEventLog(db: Db, filter: EventLogFilter): Promise<EventListRow[]> {
  return eventLogQuery(db, filter).execute();
}

/** selectEventLog's query (tests read its plan). */
export function eventLogQuery(db: Db, filter: EventLogFilter) {
  let q = db.selectFrom('events').select(LISTED_COLUMNS);
  if (filter.trigger !== undefined) q = q.where('trigger', '=', filter.trigger);
  if (filter.result !== undefined) {
    q = q.where('result', '=', filter.result);
    // Rows other than `processed` are in a partial index (migration 008) that SQLite uses only when the query
    // states its condition; `processed` rows are found newest first by id.
    if (filter.result !== 'processed') q = q.where('result', '<>', 'processed');
  }
  if (filter.bookingUid !== undefined) q = q.where('booking_uid', '=', filter.bookingUid);
  if (filter.appointmentId !== undefined) q = q.where('appointment_id', '=', filter.appointmentId);
  if (filter.since !== undefined) q = q.where('received_at', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('received_at', '<', filter.until);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return q.orderBy('id', 'desc').limit(filter.limit);
}

export interface RejectedDeliveryRow {
  id: number;
  received_at: string;
  trigger: string | null;
  code: string;
  message: string;
  booking_uid: string | null;
}

export async function selectRejectedDeliveries(db: Db, filter: Omit<EventLogFilter, 'result' | 'appointmentId'>): Promise<RejectedDeliveryRow[]> {
  let q = db.selectFrom('rejected_deliveries').selectAll();
  if (filter.trigger !== undefined) q = q.where('trigger', '=', filter.trigger);
  if (filter.bookingUid !== undefined) q = q.where('booking_uid', '=', filter.bookingUid);
  if (filter.since !== undefined) q = q.where('received_at', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('received_at', '<', filter.until);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return q.orderBy('id', 'desc').limit(filter.limit).execute();
}

/** Ids of the replays of one event, oldest first. */
export async function selectReplayIdsOf(db: Db, eventId: number): Promise<number[]> {
  const rows = await db.selectFrom('events').select('id').where('replay_of', '=', eventId).orderBy('id').execute();
  return rows.map((r) => r.id);
}

export interface EventCountsSince {
  /** Events first stored in the window, by result. */
  byResult: Record<EventResult, number>;
  /**
   * Repeated deliveries: the duplicate_count of rows whose latest repeat falls in the window. A row repeated
   * both before and inside the window counts all its repeats (the log keeps a count, not each repeat).
   */
  duplicates: number;
  rejected: number;
}

export async function countEventsSince(db: Db, since: string): Promise<EventCountsSince> {
  const grouped = await db
    .selectFrom('events')
    .select(['result', (eb) => eb.fn.countAll<number>().as('n')])
    .where('received_at', '>=', since)
    .groupBy('result')
    .execute();
  const byResult: Record<EventResult, number> = { processed: 0, skipped: 0, parked: 0 };
  for (const g of grouped) if (g.result in byResult) byResult[g.result] = Number(g.n);

  const dup = await db
    .selectFrom('events')
    .select((eb) => eb.fn.sum<number | null>('duplicate_count').as('n'))
    .where('last_duplicate_at', '>=', since)
    .executeTakeFirst();
  const rejected = await db
    .selectFrom('rejected_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('received_at', '>=', since)
    .executeTakeFirst();
  return { byResult, duplicates: Number(dup?.n ?? 0), rejected: Number(rejected?.n ?? 0) };
}

export async function selectLatestRejectedDelivery(db: Db): Promise<RejectedDeliveryRow | undefined> {
  return db.selectFrom('rejected_deliveries').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}
