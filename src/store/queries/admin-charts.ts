// What the overview's charts draw: deliveries per hour by result, and the sync backlog over time (sampled
// into sync_backlog_samples, one row per bucket, since sink_state only knows the present).
import { sql } from 'kysely';
import type { Db } from '../store.js';

export interface HourCount {
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  count: number;
}

async function byHour(db: Db, query: ReturnType<typeof sql<{ hour: string; n: number | string | null }>>): Promise<HourCount[]> {
  const { rows } = await query.execute(db);
  return rows.map((r) => ({ hour: r.hour, count: Number(r.n ?? 0) }));
}

/** Accepted deliveries (each event once: processed, skipped or parked) per hour of receipt. */
export function countAcceptedByHour(db: Db, since: string): Promise<HourCount[]> {
  return byHour(db, sql`select substr(received_at, 1, 13) as hour, count(*) as n from events
    where received_at >= ${since} and source = 'webhook' group by substr(received_at, 1, 13)`);
}

/** Repeated deliveries, by the hour of each event's latest repeat (the log keeps a count, not each repeat). */
export function countDuplicatesByHour(db: Db, since: string): Promise<HourCount[]> {
  return byHour(db, sql`select substr(last_duplicate_at, 1, 13) as hour, sum(duplicate_count) as n from events
    where last_duplicate_at >= ${since} group by substr(last_duplicate_at, 1, 13)`);
}

/** Refused deliveries per hour: signed ones refused with a 4xx, and requests refused for their signature. */
export async function countRefusedByHour(db: Db, since: string): Promise<HourCount[]> {
  const signed = await byHour(db, sql`select substr(received_at, 1, 13) as hour, count(*) as n from rejected_deliveries
    where received_at >= ${since} group by substr(received_at, 1, 13)`);
  const unsigned = await byHour(db, sql`select substr(received_at, 1, 13) as hour, count(*) as n from refused_signatures
    where received_at >= ${since} group by substr(received_at, 1, 13)`);
  const total = new Map<string, number>();
  for (const r of [...signed, ...unsigned]) total.set(r.hour, (total.get(r.hour) ?? 0) + r.count);
  return [...total].map(([hour, count]) => ({ hour, count }));
}

export interface BacklogSample {
  bucket_ms: number;
  at: string;
  backlog: number;
  failed: number;
}

/** Records the bucket's sample unless an instance already did. */
export async function insertBacklogSampleIfAbsent(db: Db, sample: BacklogSample): Promise<void> {
  await db
    .insertInto('sync_backlog_samples')
    .values(sample)
    .onConflict((oc) => oc.column('bucket_ms').doNothing())
    .execute();
}

export async function selectBacklogSamples(db: Db, sinceMs: number): Promise<BacklogSample[]> {
  const rows = await db.selectFrom('sync_backlog_samples').selectAll().where('bucket_ms', '>=', sinceMs).orderBy('bucket_ms').execute();
  return rows.map((r) => ({ bucket_ms: Number(r.bucket_ms), at: r.at, backlog: Number(r.backlog), failed: Number(r.failed) }));
}

export async function pruneBacklogSamples(db: Db, beforeMs: number): Promise<void> {
  await db.deleteFrom('sync_backlog_samples').where('bucket_ms', '<', beforeMs).execute();
}
