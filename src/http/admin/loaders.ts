// What the issue-12 admin pages read, gathered here so the routes stay one line each.
import { selectAppointmentById } from '../../store/queries/appointments.js';
import { searchAppointments, selectConflictPartners } from '../../store/queries/appointment-search.js';
import { selectEventLog } from '../../store/queries/event-log.js';
import { countRefusedSignaturesByHour, selectRefusedSignatures } from '../../store/queries/refused-deliveries.js';
import type { Store } from '../../store/store.js';
import { presentRows } from '../appointment-views.js';
import { encodeCursor } from '../cursor.js';
import { sampleSyncBacklog } from './chart-data.js';
import type { AppointmentPageData } from './pages/appointment.js';
import type { SignaturesPageData } from './pages/signatures.js';
import { SUMMARY_WINDOW_MS } from './summary.js';

/** The timeline shows this many events (the newest); the event log has the rest. */
const TIMELINE_MAX_EVENTS = 200;
const CONFLICTS_SHOWN = 10;
export const SEARCH_RESULTS_MAX = 50;
const SIGNATURES_PAGE_SIZE = 50;
/** How often the admin plugin records the sync backlog for the chart (one row per bucket whatever the rate). */
export const BACKLOG_SAMPLE_EVERY_MS = 60_000;

/** The appointment page's data; null when there is no such appointment (a merged one resolves to its survivor). */
export async function loadAppointmentPage(store: Store, id: number): Promise<Omit<AppointmentPageData, 'csrfToken' | 'notice'> | { redirectTo: number } | null> {
  const row = await selectAppointmentById(store.db, id);
  if (!row) return null;
  if (row.merged_into !== null) return { redirectTo: row.merged_into };
  const [view] = await presentRows(store, [row]);
  const newestFirst = await selectEventLog(store.db, { appointmentId: id, limit: TIMELINE_MAX_EVENTS + 1 });
  const conflicts = row.conflict === 1 ? await selectConflictPartners(store.db, row, CONFLICTS_SHOWN) : [];
  return { view: view!, events: newestFirst.slice(0, TIMELINE_MAX_EVENTS).reverse(), eventsTruncated: newestFirst.length > TIMELINE_MAX_EVENTS, conflicts };
}

export function loadSearch(store: Store, q: string) {
  return searchAppointments(store.db, q, SEARCH_RESULTS_MAX);
}

export async function loadSignaturesPage(store: Store, nowMs: number, beforeId: number | undefined): Promise<Omit<SignaturesPageData, 'csrfToken'>> {
  const since = new Date(nowMs - SUMMARY_WINDOW_MS).toISOString();
  const latest = await selectRefusedSignatures(store.db, { limit: SIGNATURES_PAGE_SIZE, ...(beforeId !== undefined ? { beforeId } : {}) });
  const last = latest[latest.length - 1];
  return {
    byHour: await countRefusedSignaturesByHour(store.db, since),
    latest,
    nextCursor: latest.length === SIGNATURES_PAGE_SIZE && last ? encodeCursor('signatures', last.id) : null,
  };
}

export async function countRefusedSignaturesOfDay(store: Store, nowMs: number): Promise<number> {
  const rows = await countRefusedSignaturesByHour(store.db, new Date(nowMs - SUMMARY_WINDOW_MS).toISOString());
  return rows.reduce((n, r) => n + r.count, 0);
}

/**
 * Samples the sync backlog every BACKLOG_SAMPLE_EVERY_MS while the server runs, for the overview's chart.
 * Returns the stop function. Failures (the store down) are logged at debug and tried again next time.
 */
export function startBacklogSampler(store: Store, log: { debug(o: object, m: string): void }): () => void {
  const timer = setInterval(() => {
    sampleSyncBacklog(store.db, Date.now()).catch((err: unknown) => log.debug({ err }, 'could not sample the sync backlog'));
  }, BACKLOG_SAMPLE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
