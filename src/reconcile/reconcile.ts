// One reconciliation run: read the bookings Cal.com changed since the last successful run, page by page,
// and feed those that tell calsync something new through the intake as `snapshot` events (source
// `reconcile`), under the same domain rules as webhooks. A missed creation, cancellation or reschedule is
// repaired; a booking calsync already knows is left alone and not recorded again.
//
// Incremental: `afterUpdatedAt` + `sortUpdatedAt=asc`, pages of up to 250 (`take`, Cal.com's maximum) with
// `skip`. The run remembers its high-water mark (the newest `updatedAt` it read, Cal.com's own clock) in the
// settings table, and the next run reads from there minus RECONCILE_OVERLAP_MS (writes Cal.com committed
// late, clock skew), so a run every 15 minutes costs about one request per 250 changed bookings, plus one.
//
// Paging walks the updatedAt order by key, not by a growing offset: each page starts just before the last
// page's newest updatedAt and skips the items of that instant already read. A booking updated while we page
// moves to the end of the order; with a plain offset that shift would make the next page jump over an
// unread booking, here it is only read again (and its new state handled, once). `skip` grows only
// inside one instant shared by more than a page of bookings. This works whether Cal.com's afterUpdatedAt is
// inclusive or not (an inclusive bound re-reads a few items, never misses one).
import type { Logger } from 'pino';
import { BOOKINGS_PAGE_MAX, listBookings } from '../calcom/api/bookings.js';
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

/**
 * Settings key: the high-water mark, the newest Cal.com `updatedAt` a complete run read (ISO); the next run
 * reads from it minus the overlap. (Before issue 13 it held the start time of the last complete run.)
 */
export const RECONCILE_CURSOR_KEY = 'reconcile.cursor';
/** Settings key: JSON summary of the last run, for operators and for instances deciding whether to run. */
export const RECONCILE_LAST_RUN_KEY = 'reconcile.last_run';
export const RECONCILE_OVERLAP_MS = 5 * 60_000;
/** With no cursor and an empty store there is no history to repair beyond this. */
export const RECONCILE_FIRST_RUN_LOOKBACK_MS = 24 * 60 * 60_000;
/** Cal.com's maximum `take` for GET /v2/bookings. */
export const RECONCILE_PAGE_SIZE = 250;
/** 400 pages of 250: a bound against an API that never says "last page", not a real-world limit. */
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
  /** Read every booking (no updatedAt bound): the manual full run. Wins over `since`. */
  full?: boolean;
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
  /** Pages read (= list requests, without retries). */
  pages: number;
  /** The newest Cal.com updatedAt read; the next run starts from it (minus the overlap) when this one completes. */
  high_water_mark: string | null;
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
  /** Every page was read and every readable booking handled; the cursor moved to `high_water_mark`. */
  complete: boolean;
}

export async function reconcileOnce(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileSummary> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const cursor = await selectSetting(deps.db, RECONCILE_CURSOR_KEY);
  const since = options.full ? null : (options.since ?? (await defaultSince(deps.db, cursor, startedAt)));
  const pageSize = Math.min(options.pageSize ?? RECONCILE_PAGE_SIZE, BOOKINGS_PAGE_MAX);
  const maxPages = options.maxPages ?? RECONCILE_MAX_PAGES;
  const summary: ReconcileSummary = {
    started_at: startedAt.toISOString(),
    finished_at: startedAt.toISOString(),
    since,
    pages: 0,
    high_water_mark: null,
    seen: 0,
    recorded: 0,
    unchanged: 0,
    parked: 0,
    unreadable: 0,
    failed: 0,
    actions: {},
    complete: false,
  };
  /** uid -> the updatedAt handled: a booking read again is handled again only if it changed meanwhile. */
  const handled = new Map<string, string | null>();
  // A cancelled booking that was rescheduled is handled after its successor, which carries the move; on
  // its own it would briefly mark the appointment cancelled.
  const replacedBy = new Map<string, ApiBooking>();

  const handle = async (booking: ApiBooking): Promise<void> => {
    const updatedAt = booking.updatedAt ?? null;
    if (handled.has(booking.uid) && handled.get(booking.uid) === updatedAt) return;
    if (!handled.has(booking.uid)) summary.seen += 1;
    handled.set(booking.uid, updatedAt);
    try {
      await recordIfNew(deps, booking, summary);
    } catch (err) {
      summary.failed += 1;
      deps.log.warn({ err, uid: booking.uid }, 'reconcile: booking could not be recorded; the next run retries it');
    }
  };

  const stopping = options.shouldStop ?? (() => false);
  let lastPage = false;
  let after = since;
  let skip = 0;
  for (let page = 0; page < maxPages && !stopping(); page++) {
    const result = await listBookings(deps.client, {
      ...(after !== null ? { afterUpdatedAt: after } : {}),
      sortUpdatedAt: 'asc',
      take: pageSize,
      skip,
    });
    summary.pages += 1;
    for (const b of result.bookings) summary.high_water_mark = later(summary.high_water_mark, b.updatedAt ?? null);
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
    ({ after, skip } = nextPage(result.bookings, after, skip, pageSize));
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
  const mark = summary.high_water_mark;
  if (summary.complete && mark !== null && movesCursorForward(since, cursor, mark)) await upsertSetting(deps.db, RECONCILE_CURSOR_KEY, mark, at);
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

/**
 * The mark moves only forward, and only when this run covered everything after the stored one: a run from a
 * later explicit date has gaps behind it.
 */
function movesCursorForward(since: string | null, cursor: string | null, mark: string): boolean {
  if (cursor === null) return true;
  const covered = since === null || Date.parse(since) <= Date.parse(cursor);
  return covered && Date.parse(mark) > Date.parse(cursor);
}

function later(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/**
 * Where the page after a full one starts: just before the newest updatedAt on it (1 ms, so an exclusive
 * bound still includes that instant), skipping the items of that instant this page already read. When that
 * key is not later than the current one, the offset grows instead: a tie group larger than a page, or, with
 * an inclusive bound, a page of the instant just before the current key's (fix: the key then moved back, its
 * page re-read that instant, and two pages alternated until the page limit, never reaching the rest). So the
 * key only moves forward and the offset grows meanwhile: the walk ends. Items without updatedAt cannot move
 * the key: the offset grows.
 */
function nextPage(page: readonly ApiBooking[], after: string | null, skip: number, pageSize: number): { after: string | null; skip: number } {
  const newest = page.reduce<string | null>((m, b) => later(m, b.updatedAt ?? null), null);
  if (newest === null) return { after, skip: skip + pageSize };
  const from = new Date(Date.parse(newest) - 1).toISOString();
  if (after !== null && Date.parse(from) <= Date.parse(after)) return { after, skip: skip + pageSize };
  const atNewest = page.filter((b) => b.updatedAt !== null && b.updatedAt !== undefined && Date.parse(b.updatedAt) === Date.parse(newest)).length;
  return { after: from, skip: atNewest };
}
