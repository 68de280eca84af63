// Re-mirroring on request (`POST /api/sinks/:sink/resync`, `calsync sinks resync`): every appointment (or
// those changed since a date) becomes due for the sink again, whatever version it shows, and appointments
// the sink has no row for get one. The sink's next sync then brings each external object back: Notion
// restores a trashed Sessions page, or finds or re-creates a deleted one.
import { backfillSinkRows, markSinkRowsForResync } from '../store/queries/sink-work.js';
import type { Store } from '../store/store.js';
import { BACKFILL_BATCH } from './worker.js';

export interface ResyncResult {
  /** Rows the sink had, now due again. */
  marked: number;
  /** Appointments the sink had never been asked to mirror, now due. */
  added: number;
}

/** `sinceIso`: only appointments whose `updated_at` is at or after it (null: all). */
export async function resyncSink(store: Store, sink: string, sinceIso: string | null, nowMs: number = Date.now()): Promise<ResyncResult> {
  const at = new Date(nowMs).toISOString();
  const marked = await markSinkRowsForResync(store.db, sink, sinceIso, nowMs, at);
  // Bounded statements, one batch at a time; each batch leaves fewer appointments without a row, so this ends.
  let added = 0;
  for (;;) {
    const batch = await backfillSinkRows(store.db, sink, BACKFILL_BATCH, nowMs, at, sinceIso);
    added += batch;
    if (batch < BACKFILL_BATCH) break;
  }
  return { marked, added };
}
