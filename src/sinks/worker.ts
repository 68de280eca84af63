// A level-triggered sink worker: a loop that never dies. Each pass takes the sink_state rows that are due,
// claims them, lets the sink bring each external object to the appointment's current version (or remove an
// orphaned duplicate), and records the outcome on the row. Errors are recorded on the row and logged, never
// thrown out of the loop. Only the sink's leader works; `stop()` waits for the syncs in flight.
import type { Logger } from 'pino';
import type { Worker } from '../feature.js';
import type { AppointmentView } from '../store/appointment-view.js';
import { presentAppointments } from '../store/appointment-views.js';
import {
  backfillSinkRows,
  claimSinkRow,
  completeSinkSync,
  failSinkSync,
  failSinkSyncPermanently,
  releaseSinkClaim,
  resetInterruptedClaims,
  retireSinkRow,
  saveSinkExternalId,
  selectAppointmentsByIds,
  selectDueSinkRows,
} from '../store/queries/sink-work.js';
import type { SinkStateRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import type { Leadership } from './leadership.js';
import { WorkerLoop } from './loop.js';
import { API_HIDDEN_SINKS, API_SYNC_SINKS } from './registry.js';
import { NO_SINK_WORK_OBSERVER, type FailureClass, type Sink, type SinkAppointment, type SinkTask, type SinkWorkObserver, type SyncContext } from './sink.js';

/** 'starting' is kept for callers' sake; the loop is 'running' by the time start() returns. */
export type WorkerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export type { FailureClass, SyncContext, SyncResult } from './sink.js';

/** Appointments without a row for the sink that one backfill step adds (a pass adds one batch). */
export const BACKFILL_BATCH = 200;

export interface SinkWorkerTuning {
  /** Appointments synced at once (the rate limiter, not this, sets the request rate). */
  concurrency: number;
  /** How often to look for due rows when idle. */
  pollIntervalMs: number;
  /** How long a claim lasts before another pass may take the row (its worker is presumed dead). */
  claimLeaseMs: number;
  /** Wait after a failed pass (store unreachable, prepare failed); doubles with each failed pass in a row, up to maxErrorDelayMs. */
  errorDelayMs: number;
  maxErrorDelayMs: number;
  backoff: BackoffPolicy;
}

export interface SinkWorkerDeps {
  sink: Sink;
  store: Store;
  log: Logger;
  leadership: Leadership;
  tuning: SinkWorkerTuning;
  observer?: SinkWorkObserver;
  /** Sinks whose `sync.<name>` the appointment's view always shows (registry.ts); default: the registered API sinks. */
  apiSinks?: readonly string[];
  now?: () => number;
}

export class SinkWorker implements Worker {
  readonly name: string;
  private readonly loop: WorkerLoop;
  private readonly inFlight = new Map<number, Promise<void>>();
  private termStarted = false;
  private prepared = false;
  /** Whether this term has given every stored appointment a row (see backfillStep). */
  private backfilled = false;
  private readonly now: () => number;
  private readonly observer: SinkWorkObserver;
  private readonly apiSinks: readonly string[];

  constructor(private readonly deps: SinkWorkerDeps) {
    this.name = `sink:${deps.sink.name}`;
    this.now = deps.now ?? Date.now;
    this.observer = deps.observer ?? NO_SINK_WORK_OBSERVER;
    this.apiSinks = deps.apiSinks ?? API_SYNC_SINKS;
    this.loop = new WorkerLoop(
      {
        pass: () => this.pass(),
        passFailed: (err, retryInMs) => this.passFailed(err, retryInMs),
        windDown: () => this.windDown(),
        stopped: () => deps.log.info({ sink: deps.sink.name }, 'sink worker stopped'),
      },
      deps.tuning,
    );
  }

  get state(): WorkerState {
    return this.loop.state;
  }

  /** Syncs in progress right now. */
  get busy(): number {
    return this.inFlight.size;
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Looks for work now instead of at the next poll. */
  wakeUp(): void {
    this.loop.wakeUp();
  }

  private passFailed(err: unknown, retryInMs: number): void {
    const failure = this.deps.sink.classify(err);
    this.deps.log[failure.kind === 'transient' ? 'warn' : 'error'](
      { err, sink: this.deps.sink.name, retry_in_ms: retryInMs },
      `sink worker ${this.prepared ? 'pass' : 'preparation'} failed: ${failure.message}`,
    );
  }

  private async windDown(): Promise<void> {
    const { log } = this.deps;
    const sink = this.deps.sink.name;
    this.deps.sink.stopping?.();
    await Promise.allSettled([...this.inFlight.values()]);
    await this.deps.leadership.release().catch((err: unknown) => log.warn({ err, sink }, 'could not release sink leadership'));
  }

  /** One look for work; resolves with how long to wait before the next. */
  private async pass(): Promise<number> {
    const { store, leadership, tuning, log } = this.deps;
    const sink = this.deps.sink.name;
    if (!(await leadership.check())) {
      this.termStarted = false;
      this.prepared = false;
      this.backfilled = false;
      return tuning.pollIntervalMs;
    }
    if (!this.termStarted) {
      // Claims of a previous term (a crashed process, a deposed leader) will never be finished by their owner.
      const reset = await resetInterruptedClaims(store.db, sink, this.now(), new Date(this.now()).toISOString());
      if (reset > 0) log.info({ sink, rows: reset }, 'took back rows an earlier worker had claimed');
      this.termStarted = true;
    }
    if (!this.prepared) {
      await this.deps.sink.prepare();
      this.prepared = true;
    }
    const moreBackfill = await this.backfillStep();
    // One instant for the whole pass: rows that fall due after it wait for the next pass (and its settle).
    const now = this.now();
    if (this.deps.sink.settleWithoutDestinations) {
      // Tasks with nowhere to go (e.g. no webhook endpoint) are settled in bulk instead of one by one.
      const settled = await this.deps.sink.settleWithoutDestinations(now, new Date(now).toISOString());
      if (settled > 0) log.debug({ sink, rows: settled }, 'settled tasks that have no destination');
    }
    const free = tuning.concurrency - this.inFlight.size;
    if (free <= 0) return tuning.pollIntervalMs;
    const due = await selectDueSinkRows(store.db, sink, now, free + this.inFlight.size);
    const claimed: SinkStateRow[] = [];
    for (const row of due) {
      if (claimed.length >= free || !this.loop.running) break;
      if (this.inFlight.has(row.appointment_id)) continue;
      if (await claimSinkRow(store.db, sink, row.appointment_id, now, now + tuning.claimLeaseMs, new Date(now).toISOString())) claimed.push(row);
    }
    if (claimed.length > 0) {
      let loaded: Map<number, SinkAppointment>;
      try {
        loaded = await this.load(claimed.map((r) => r.appointment_id));
      } catch (err) {
        // Not the rows' fault: give the claims back rather than leave them to their lease.
        const at = new Date(this.now()).toISOString();
        for (const row of claimed) await releaseSinkClaim(store.db, sink, row.appointment_id, this.now(), at).catch(() => undefined);
        throw err;
      }
      for (const row of claimed) this.launch(row, loaded.get(row.appointment_id) ?? null);
    }
    // A finished sync wakes the loop early, so a full pool looks for more as soon as a slot frees up.
    return moreBackfill ? 0 : tuning.pollIntervalMs;
  }

  /**
   * Switching a sink on with appointments already stored mirrors them too: each pass of a new term gives
   * one bounded batch of appointments without a row for this sink a pending row, until none is left.
   * Resolves with whether more may remain.
   */
  private async backfillStep(): Promise<boolean> {
    if (this.backfilled || !this.deps.sink.backfill) return false;
    const { store, log } = this.deps;
    const sink = this.deps.sink.name;
    const now = this.now();
    const added = await backfillSinkRows(store.db, sink, BACKFILL_BATCH, now, new Date(now).toISOString());
    if (added > 0) log.info({ sink, appointments: added }, 'backfilling appointments stored before the sink was on');
    if (added < BACKFILL_BATCH) this.backfilled = true;
    return !this.backfilled;
  }

  /** The appointments of a batch of claimed rows, in domain terms (a fixed number of queries per batch). */
  private async load(appointmentIds: readonly number[]): Promise<Map<number, SinkAppointment>> {
    const rows = await selectAppointmentsByIds(this.deps.store.db, appointmentIds);
    const views = await presentAppointments(this.deps.store.db, rows, this.apiSinks, API_HIDDEN_SINKS);
    const out = new Map<number, SinkAppointment>();
    for (const view of views) out.set(view.id, toSinkAppointment(view));
    return out;
  }

  private async reload(appointmentId: number): Promise<SinkAppointment | null> {
    return (await this.load([appointmentId])).get(appointmentId) ?? null;
  }

  private launch(row: SinkStateRow, appointment: SinkAppointment | null): void {
    const task = this.runOne(row, appointment).finally(() => {
      this.inFlight.delete(row.appointment_id);
      this.wakeUp();
    });
    this.inFlight.set(row.appointment_id, task);
  }

  /** Syncs (or retires) one claimed row and records the outcome; never throws. */
  private async runOne(row: SinkStateRow, appointment: SinkAppointment | null): Promise<void> {
    const { store, log } = this.deps;
    const sink = this.deps.sink.name;
    const id = row.appointment_id;
    const at = () => new Date(this.now()).toISOString();
    const task: SinkTask = { appointmentId: id, appointment, externalId: row.external_id, syncedVersion: row.synced_version, attempts: row.attempts };
    try {
      if (row.state === 'orphaned') {
        await this.deps.sink.retire(task);
        await retireSinkRow(store.db, sink, id, at());
        log.info({ sink, appointment_id: id, external_id: row.external_id }, 'removed the duplicate of a merged appointment');
        return;
      }
      if (appointment === null) throw new MissingAppointmentError(`appointment ${id} does not exist`);
      const ctx: SyncContext = {
        saveExternalId: (externalId) => saveSinkExternalId(store.db, sink, id, externalId, at()),
        reload: () => this.reload(id),
      };
      const result = await this.deps.sink.sync(task, ctx);
      const state = await completeSinkSync(store.db, store.locks, sink, id, result, this.now(), at());
      this.observer.synced(sink);
      log.debug({ sink, appointment_id: id, version: result.syncedVersion, external_id: result.externalId, state }, 'synced');
    } catch (err) {
      await this.recordFailure(row, err).catch((recordErr: unknown) =>
        // The claim's lease runs out and a later pass takes the row again.
        log.error({ err: recordErr, sink, appointment_id: id }, 'could not record a sync failure'),
      );
    }
  }

  private async recordFailure(row: SinkStateRow, err: unknown): Promise<void> {
    const { store, log, tuning } = this.deps;
    const sink = this.deps.sink.name;
    const id = row.appointment_id;
    const now = this.now();
    const at = new Date(now).toISOString();
    const failure: FailureClass = err instanceof MissingAppointmentError ? { kind: 'permanent', message: err.message } : this.deps.sink.classify(err);
    switch (failure.kind) {
      case 'abandon':
        await releaseSinkClaim(store.db, sink, id, now, at);
        log.info({ sink, appointment_id: id, reason: failure.message }, 'sync interrupted; the row stays due');
        return;
      case 'permanent':
        if (row.state === 'orphaned') break; // a duplicate that cannot be removed now is retried later
        await failSinkSyncPermanently(store.db, sink, id, failure.message, at);
        this.observer.failed(sink);
        log.warn({ sink, appointment_id: id, error: failure.message }, 'sync refused; waiting for a new version of the appointment');
        return;
      case 'transient':
        break;
      default:
        failure satisfies never;
    }
    const failures = row.attempts + 1;
    const minDelayMs = failure.kind === 'transient' ? (failure.minDelayMs ?? 0) : 0;
    const delayMs = Math.max(minDelayMs, backoffDelayMs(failures, tuning.backoff));
    await failSinkSync(store.db, sink, id, failure.message, now + delayMs, at);
    this.observer.retried(sink, 'sync_failed');
    log.warn({ sink, appointment_id: id, attempts: failures, retry_in_ms: delayMs, error: failure.message }, 'sync failed; will retry');
  }
}

/** A claimed row whose appointment is gone: nothing to mirror, ever (not the sink's verdict). */
class MissingAppointmentError extends Error {
  override readonly name = 'MissingAppointmentError';
}

/** The view as GET /api/appointments/:id shows it; uids current first (the view lists previous ones oldest first). */
function toSinkAppointment(view: AppointmentView): SinkAppointment {
  const current = view.calcom_booking_uid;
  const previousNewestFirst = [...view.previous_uids].reverse();
  return { id: view.id, version: view.version, view, uids: current === null ? previousNewestFirst : [current, ...previousNewestFirst] };
}
