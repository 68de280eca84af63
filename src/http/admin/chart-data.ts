// The overview's two charts, as bars: deliveries per hour over the last 24 h by result, and the sync
// backlog over the same hours (the highest sample of each hour; the current hour includes the present).
import {
  countAcceptedByHour,
  countDuplicatesByHour,
  countRefusedByHour,
  insertBacklogSampleIfAbsent,
  pruneBacklogSamples,
  selectBacklogSamples,
  type HourCount,
} from '../../store/queries/admin-charts.js';
import { selectSyncBacklog } from '../../store/queries/sink-admin.js';
import type { Db } from '../../store/store.js';
import type { ChartBar } from './charts.js';

const HOUR_MS = 60 * 60_000;
export const CHART_HOURS = 24;
/** One backlog sample per bucket, whichever instance takes it. */
export const BACKLOG_BUCKET_MS = 5 * 60_000;
const BACKLOG_KEPT_MS = 7 * 24 * HOUR_MS;
const TICK_EVERY_HOURS = 6;

export interface OverviewCharts {
  deliveries: ChartBar[];
  backlog: ChartBar[];
}

/** `YYYY-MM-DDTHH` of the last CHART_HOURS hours, oldest first, the current hour last. */
export function lastHours(nowMs: number): string[] {
  const current = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
  return Array.from({ length: CHART_HOURS }, (_, i) => new Date(current - (CHART_HOURS - 1 - i) * HOUR_MS).toISOString().slice(0, 13));
}

function barOf(hour: string, values: Record<string, number>): ChartBar {
  const hh = hour.slice(11, 13);
  return { label: `${hour.slice(0, 10)} ${hh}:00 UTC`, ...(Number(hh) % TICK_EVERY_HOURS === 0 ? { tick: `${hh}:00` } : {}), values };
}

function indexed(rows: HourCount[]): Map<string, number> {
  return new Map(rows.map((r) => [r.hour, r.count]));
}

/** Records the sync backlog for the current bucket (if no instance has) and forgets samples older than a week. */
export async function sampleSyncBacklog(db: Db, nowMs: number): Promise<{ backlog: number; failed: number }> {
  const rows = await selectSyncBacklog(db);
  const backlog = rows.reduce((n, r) => n + r.count, 0);
  const failed = rows.filter((r) => r.state === 'failed').reduce((n, r) => n + r.count, 0);
  const bucket = Math.floor(nowMs / BACKLOG_BUCKET_MS) * BACKLOG_BUCKET_MS;
  await insertBacklogSampleIfAbsent(db, { bucket_ms: bucket, at: new Date(nowMs).toISOString(), backlog, failed });
  await pruneBacklogSamples(db, nowMs - BACKLOG_KEPT_MS);
  return { backlog, failed };
}

export async function overviewCharts(db: Db, nowMs: number): Promise<OverviewCharts> {
  const hours = lastHours(nowMs);
  const since = `${hours[0]}:00:00.000Z`;
  const [accepted, duplicates, refused] = await Promise.all([countAcceptedByHour(db, since), countDuplicatesByHour(db, since), countRefusedByHour(db, since)]);
  const a = indexed(accepted);
  const d = indexed(duplicates);
  const r = indexed(refused);
  const deliveries = hours.map((h) => barOf(h, { processed: a.get(h) ?? 0, duplicate: d.get(h) ?? 0, refused: r.get(h) ?? 0 }));

  const now = await sampleSyncBacklog(db, nowMs);
  const samples = await selectBacklogSamples(db, Date.parse(since));
  const peak = new Map<string, { backlog: number; failed: number }>();
  for (const s of samples) {
    const h = new Date(s.bucket_ms).toISOString().slice(0, 13);
    const seen = peak.get(h);
    if (!seen || s.backlog > seen.backlog) peak.set(h, { backlog: s.backlog, failed: s.failed });
  }
  const currentHour = hours[hours.length - 1]!;
  const atPeak = peak.get(currentHour);
  if (!atPeak || now.backlog > atPeak.backlog) peak.set(currentHour, now);
  const backlog = hours.map((h) => {
    const p = peak.get(h);
    return barOf(h, { waiting: p ? Math.max(0, p.backlog - p.failed) : 0, failed: p?.failed ?? 0 });
  });
  return { deliveries, backlog };
}
