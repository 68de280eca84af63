// The last day at a glance: what came in, what was repeated or refused, what waits to sync, the last error.
import { countEventsSince, selectLatestRejectedDelivery } from '../../store/queries/event-log.js';
import { selectLatestSyncError, selectSyncBacklog } from '../../store/queries/sink-admin.js';
import { selectNotionPause } from '../../store/queries/notion.js';
import type { Db } from '../../store/store.js';

export const SUMMARY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface LastError {
  at: string;
  where: string;
  message: string;
}

export interface DaySummary {
  since: string;
  received: number;
  processed: number;
  skipped: number;
  parked: number;
  duplicates: number;
  rejected: number;
  syncBacklog: number;
  syncFailed: number;
  lastError: LastError | null;
}

export async function summarizeLastDay(db: Db, nowMs: number): Promise<DaySummary> {
  const since = new Date(nowMs - SUMMARY_WINDOW_MS).toISOString();
  const counts = await countEventsSince(db, since);
  const backlog = await selectSyncBacklog(db);
  const rejected = await selectLatestRejectedDelivery(db);
  const syncError = await selectLatestSyncError(db);
  const candidates: LastError[] = [];
  if (rejected) candidates.push({ at: rejected.received_at, where: `delivery refused (${rejected.code})`, message: rejected.message });
  if (syncError?.last_error) {
    candidates.push({ at: syncError.updated_at, where: `${syncError.sink} sync of appointment ${syncError.appointment_id}`, message: syncError.last_error });
  }
  const notionPause = (await selectNotionPause(db))?.cause;
  if (notionPause) candidates.push({ at: notionPause.at, where: 'Notion paused the mirror', message: notionPause.message });
  candidates.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const { processed, skipped, parked } = counts.byResult;
  return {
    since,
    received: processed + skipped + parked,
    processed,
    skipped,
    parked,
    duplicates: counts.duplicates,
    rejected: counts.rejected,
    syncBacklog: backlog.reduce((n, r) => n + r.count, 0),
    syncFailed: backlog.filter((r) => r.state === 'failed').reduce((n, r) => n + r.count, 0),
    lastError: candidates[0] ?? null,
  };
}
