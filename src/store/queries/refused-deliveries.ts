// Requests refused for their signature (migration 007): the admin page shows them with the fix in words.
// Bounded: the newest REFUSED_SIGNATURES_KEPT rows stay; nothing of a body is ever stored.
import { sql } from 'kysely';
import type { RefusedSignaturesTable } from '../schema.js';
import type { Db } from '../store.js';
import type { Selectable } from 'kysely';

export type RefusedSignatureRow = Selectable<RefusedSignaturesTable>;
export type NewRefusedSignature = Omit<RefusedSignatureRow, 'id'>;

export async function insertRefusedSignature(db: Db, row: NewRefusedSignature): Promise<void> {
  await db.insertInto('refused_signatures').values(row).execute();
}

/** Keeps the newest `keep` rows. */
export async function pruneRefusedSignatures(db: Db, keep: number): Promise<void> {
  const cutoff = await db.selectFrom('refused_signatures').select('id').orderBy('id', 'desc').offset(keep).limit(1).executeTakeFirst();
  if (cutoff) await db.deleteFrom('refused_signatures').where('id', '<=', cutoff.id).execute();
}

export async function selectRefusedSignatures(db: Db, filter: { limit: number; beforeId?: number }): Promise<RefusedSignatureRow[]> {
  let q = db.selectFrom('refused_signatures').selectAll();
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return q.orderBy('id', 'desc').limit(filter.limit).execute();
}

export interface RefusedByHourRow {
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  reason: string;
  count: number;
}

/** Counts since `since` (ISO), by UTC hour and reason, oldest hour first. */
export async function countRefusedSignaturesByHour(db: Db, since: string): Promise<RefusedByHourRow[]> {
  const { rows } = await sql<{ hour: string; reason: string; n: number | string }>`
    select substr(received_at, 1, 13) as hour, reason, count(*) as n from refused_signatures
    where received_at >= ${since}
    group by substr(received_at, 1, 13), reason
    order by hour, reason`.execute(db);
  return rows.map((r) => ({ hour: r.hour, reason: r.reason, count: Number(r.n) }));
}
