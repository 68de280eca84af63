// One reconciliation run: read the bookings Cal.com changed since the last successful run, page by page,
// and feed those that tell calsync something new through the intake as `snapshot` events (source
// `reconcile`), under the same domain rules as webhooks. A missed creation, cancellation or reschedule is
// repaired; a booking calsync already knows is left alone and not recorded again.
//
// Paging: `sortCreated=asc` with `skip`. Creation times never change, so a booking updated while we page
// can only enter the filtered set (shifting later items: read twice, harmless), never leave it; nothing is
// skipped. The next run starts from this run's start time minus RECONCILE_OVERLAP_MS (clock skew between
// Cal.com and us, and writes that committed late), so whatever changed during this run is read next time.
import type { Logger } from 'pino';
import { listBookings } from '../calcom/api/bookings.js';
import type { CalcomApiClient } from '../calcom/api/client.js';
import { rescheduledTo } from '../calcom/api/snapshot.js';
import type { ApiBooking } from '../calcom/api/schemas.js';
import type { IncomingEvent, IntakeOutcome } from '../intake/record-event.js';
import { selectEventByDedupKey } from '../store/queries/events.js';
import { selectEarliestReceivedAt } from '../store/queries/reconcile.js';
import { selectSetting, upsertSetting } from '../store/queries/settings.js';
import type { Db } from '../store/store.js';
import { snapshotIncoming } from './snapshot-event.js';
import { snapshotWouldChange } from './would-change.js';

/** Settings key: ISO time from which the next run reads (the start of the last complete run). */
export const RECONCILE_CURSOR_KEY = 'reconcile.cursor';
/** Settings key: JSON summary of the last run, for operators and for instances deciding whether to run. */
export const RECONCILE_LAST_RUN_KEY = 'reconcile.last_run';
export const RECONCILE_OVERLAP_MS = 5 * 60_000;
/** With no cursor and an empty store there is no history to repair beyond this. */
export const RECONCILE_FIRST_RUN_LOOKBACK_MS = 24 * 60 * 60_000;
export const RECONCILE_PAGE_SIZE = 100;
/** 400 pages of 100: a bound against an API that never says "last page", not a real-world limit. */
export const RECONCILE_MAX_PAGES = 400;

export interface ReconcileDeps {
  db: Db;
  client: CalcomApiClient;
  intake: { submit(incoming: IncomingEvent): Promise<IntakeOutcome> };
  log: Logger;
  now?: () => Date;
}

export interface ReconcileOptions {
  /** ISO instant: read bookings updated since then instead of since the last run. */
  since?: string;
  pageSize?: number;
  maxPages?: number;
  /** Checked between bookings: a shutdown ends the run early (incomplete, so the cursor stays). */
  shouldStop?: () => boolean;
}

export interface ReconcileSummary {
  started_at: string;
  finished_at: string;
  /** Lower bound on Cal.com's updatedAt that was read (null = every booking). */
  since: string | null;
  pages: number;
  /** Bookings read (a booking read twice counts once). */
  seen: number;
  /** Recorded through the intake because they changed something. */
  recorded: number;
  /** Already known as Cal.com reports them: nothing recorded. */
  unchanged: number;
  /** Recorded but the booking stays unknown (cannot happen for a full booking; counted to be sure). */
  parked: number;
  /** Items Cal.com returned that calsync cannot read. */
  unreadable: number;
  failed: number;
  /** Actions of the recorded events (`created`, `linked`, `reconciled`, ...). */
  actions: Record<string, number>;
  /** Every page was read and every readable booking handled; the cursor moved to `started_at`. */
  complete: boolean;
}

export async function reconcileOnce(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileSummary> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const cursor = await selectSetting(deps.db, RECONCILE_CURSOR_KEY);
  const since = options.since ?? (await defaultSince(deps.db, cursor, startedAt));
  const pageSize = options.pageSize ?? RECONCILE_PAGE_SIZE;
  const maxPages = options.maxPages ?? RECONCILE_MAX_PAGES;
  const summary: ReconcileSummary = {
    started_at: startedAt.toISOString(),
    finished_at: startedAt.toISOString(),
    since,
    pages: 0,
    seen: 0,
    recorded: 0,
    unchanged: 0,
    parked: 0,
    unreadable: 0,
    failed: 0,
    actions: {},
    complete: false,
  };
  const handled = new Set<string>();
  // A cancelled booking that was rescheduled is handled after its successor, which carries the move; on
  // its own it would briefly mark the appointment cancelled.
  const replacedBy = new Map<string, ApiBooking>();

  const handle = async (booking: ApiBooking): Promise<void> => {
    if (handled.has(booking.uid)) return;
    handled.add(booking.uid);
    summary.seen += 1;
    try {
      await recordIfNew(deps, booking, summary);
    } catch (err) {
      summary.failed += 1;
      deps.log.warn({ err, uid: booking.uid }, 'reconcile: booking could not be recorded; the next run retries it');
    }
  };

  const stopping = options.shouldStop ?? (() => false);
  let lastPage = false;
  for (let page = 0; page < maxPages && !stopping(); page++) {
    const result = await listBookings(deps.client, {
      ...(since !== null ? { afterUpdatedAt: since } : {}),
      sortCreated: 'asc',
      take: pageSize,
      skip: page * pageSize,
    });
    summary.pages += 1;
    summary.unreadable += result.unreadable.length;
    for (const bad of result.unreadable) deps.log.warn({ uid: bad.uid, problem: bad.problem }, 'reconcile: unreadable booking from Cal.com');
    for (const booking of result.bookings) {
      if (stopping()) break;
      const successor = rescheduledTo(booking);
      if (successor !== null && !handled.has(successor)) replacedBy.set(successor, booking);
      else await handle(booking);
    }
    if (stopping()) break;
    if (result.returned < pageSize || !result.hasNextPage) {
      lastPage = true;
      break;
    }
  }

  for (const [successorUid, original] of replacedBy) {
    if (stopping()) {
      lastPage = false;
      break;
    }
    if (!handled.has(successorUid)) {
      const found = await listBookings(deps.client, { bookingUid: successorUid, take: 1, skip: 0 });
      for (const successor of found.bookings) await handle(successor);
    }
    await handle(original);
  }

  // Unreadable items are logged but do not hold the cursor back: re-reading them would not make them readable.
  summary.complete = lastPage && summary.failed === 0;
  if (!lastPage) deps.log.warn({ pages: summary.pages }, 'reconcile: stopped before the last page (page limit or shutdown); the next run reads the same range again');
  summary.finished_at = now().toISOString();
  const at = summary.finished_at;
  if (summary.complete && movesCursorForward(options.since, cursor)) await upsertSetting(deps.db, RECONCILE_CURSOR_KEY, summary.started_at, at);
  await upsertSetting(deps.db, RECONCILE_LAST_RUN_KEY, JSON.stringify(summary), at);
  return summary;
}

async function recordIfNew(deps: ReconcileDeps, booking: ApiBooking, summary: ReconcileSummary): Promise<void> {
  const incoming = snapshotIncoming(booking, 'reconcile', 'GET /v2/bookings');
  const event = incoming.event;
  if (event === null || (await selectEventByDedupKey(deps.db, incoming.dedupKey)) || !(await snapshotWouldChange(deps.db, event))) {
    summary.unchanged += 1;
    return;
  }
  const outcome = await deps.intake.submit(incoming);
  summary.recorded += 1;
  if (outcome.status === 'parked') summary.parked += 1;
  const action = outcome.status === 'processed' ? outcome.action : outcome.status;
  summary.actions[action] = (summary.actions[action] ?? 0) + 1;
}

/**
 * From the last complete run (minus the overlap); on the first run, from calsync's first recorded event
 * (what it could have missed since it was installed), or the last 24 hours on an empty store. Older
 * history is an import: ask for it with `since`.
 */
async function defaultSince(db: Db, cursor: string | null, now: Date): Promise<string> {
  const from = cursor ?? (await selectEarliestReceivedAt(db)) ?? new Date(now.getTime() - RECONCILE_FIRST_RUN_LOOKBACK_MS).toISOString();
  return new Date(Date.parse(from) - RECONCILE_OVERLAP_MS).toISOString();
}

/** A run from an explicit date covers everything after the cursor only if it starts at or before it. */
function movesCursorForward(since: string | undefined, cursor: string | null): boolean {
  if (since === undefined || cursor === null) return true;
  return Date.parse(since) <= Date.parse(cursor);
}
