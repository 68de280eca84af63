// A level-triggered sink worker: a loop that never dies. Each pass takes the sink_state rows that are due,
// claims them, lets the sink bring each external object to the appointment's current version (or remove an
// orphaned duplicate), and records the outcome on the row. Errors are recorded on the row and logged, never
// thrown out of the loop. Only the sink's leader works; `stop()` waits for the syncs in flight.
import type { Logger } from 'pino';
import type { Worker } from '../app.js';
import {
  claimSinkRow,
  completeSinkSync,
  failSinkSync,
  failSinkSyncPermanently,
  releaseSinkClaim,
  resetInterruptedClaims,
  retireSinkRow,
  saveSinkExternalId,
  selectDueSinkRows,
} from '../store/queries/sink-work.js';
import type { SinkStateRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import type { Leadership } from './leadership.js';

export type WorkerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** What a failed attempt means for its row. */
export type FailureClass =
  /** Try again later (backoff, at least `minDelayMs`). */
  | { kind: 'transient'; message: string; minDelayMs?: number }
  /** This version cannot be mirrored (the outside system refused it); wait for a new version. */
  | { kind: 'permanent'; message: string }
  /** Not the row's fault (stopping, leadership lost): give the claim back untouched. */
  | { kind: 'abandon'; message: string };

export interface SyncContext {
  /** Stores the external object's id at once (e.g. right after a create), before later steps can fail. */
  saveExternalId(externalId: string): Promise<void>;
}

export interface SyncResult {
  externalId: string | null;
  /** The appointment version the external object now shows. */
  syncedVersion: number;
}

export interface SinkHandler {
  /**
   * Runs at the start of each leadership term, and again until it succeeds, before any row is taken
   * (resolve ids, check the schema, adopt a persisted pause). A throw is logged and retried.
   */
  prepare(): Promise<void>;
  sync(row: SinkStateRow, ctx: SyncContext): Promise<SyncResult>;
  /** Removes the external object of an orphaned duplicate (the appointment was merged into another). */
  retire(row: SinkStateRow): Promise<void>;
  classify(err: unknown): FailureClass;
}

export interface SinkWorkerTuning {
  /** Rows synced at once (the rate limiter, not this, sets the request rate). */
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

export interface SinkWorkerObserver {
  synced(): void;
  retried(reason: 'sync_failed'): void;
  failed(): void;
}

export interface SinkWorkerDeps {
  sink: string;
  store: Store;
  log: Logger;
  leadership: Leadership;
  handler: SinkHandler;
  tuning: SinkWorkerTuning;
  observer: SinkWorkerObserver;
  /** Called once when the loop has stopped taking work, before waiting for the syncs in flight. */
  onStopping?: () => void;
  now?: () => number;
}

export class SinkWorker implements Worker {
  readonly name: string;
  private currentState: WorkerState = 'idle';
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Map<number, Promise<void>>();
  private wake: (() => void) | null = null;
  /** A wake-up that came while no pause was in progress: the next pause is skipped. */
  private woken = false;
  private termStarted = false;
  private prepared = false;
  private readonly now: () => number;

  constructor(private readonly deps: SinkWorkerDeps) {
    this.name = `sink:${deps.sink}`;
    this.now = deps.now ?? Date.now;
  }

  get state(): WorkerState {
    return this.currentState;
  }

  /** Syncs in progress right now. */
  get busy(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.currentState !== 'idle') return;
    this.currentState = 'starting';
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (this.currentState === 'idle') {
      this.currentState = 'stopped';
      return;
    }
    if (this.currentState === 'starting' || this.currentState === 'running') this.currentState = 'stopping';
    this.wakeUp();
    await this.loop;
  }

  /** Looks for work now instead of at the next poll. */
  wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    if (wake) wake();
    else this.woken = true;
  }

  private async run(): Promise<void> {
    const { log, sink } = this.deps;
    if (this.currentState === 'starting') this.currentState = 'running';
    let failedPasses = 0;
    while (this.currentState === 'running') {
      let delayMs: number;
      try {
        delayMs = await this.pass();
        failedPasses = 0;
      } catch (err) {
        failedPasses += 1;
        const { errorDelayMs, maxErrorDelayMs } = this.deps.tuning;
        delayMs = Math.min(maxErrorDelayMs, errorDelayMs * 2 ** Math.min(failedPasses - 1, 20));
        const failure = this.deps.handler.classify(err);
        log[failure.kind === 'transient' ? 'warn' : 'error']({ err, sink, retry_in_ms: delayMs }, `sink worker ${this.prepared ? 'pass' : 'preparation'} failed: ${failure.message}`);
      }
      if (this.currentState !== 'running') break;
      await this.pause(delayMs);
    }
    this.deps.onStopping?.();
    await Promise.allSettled([...this.inFlight.values()]);
    await this.deps.leadership.release().catch((err: unknown) => log.warn({ err, sink }, 'could not release sink leadership'));
    this.currentState = 'stopped';
    log.info({ sink }, 'sink worker stopped');
  }

  /** One look for work; resolves with how long to wait before the next. */
  private async pass(): Promise<number> {
    const { store, sink, leadership, handler, tuning, log } = this.deps;
    if (!(await leadership.check())) {
      this.termStarted = false;
      this.prepared = false;
      return tuning.pollIntervalMs;
    }
    if (!this.termStarted) {
      // Claims of a previous term (a crashed process, a deposed leader) will never be finished by their owner.
      const reset = await resetInterruptedClaims(store.db, sink, this.now(), new Date(this.now()).toISOString());
      if (reset > 0) log.info({ sink, rows: reset }, 'took back rows an earlier worker had claimed');
      this.termStarted = true;
    }
    if (!this.prepared) {
      await handler.prepare();
      this.prepared = true;
    }
    const free = tuning.concurrency - this.inFlight.size;
    if (free <= 0) return tuning.pollIntervalMs;
    const now = this.now();
    const due = await selectDueSinkRows(store.db, sink, now, free + this.inFlight.size);
    let started = 0;
    for (const row of due) {
      if (started >= free || this.currentState !== 'running') break;
      if (this.inFlight.has(row.appointment_id)) continue;
      const claimed = await claimSinkRow(store.db, sink, row.appointment_id, now, now + tuning.claimLeaseMs, new Date(now).toISOString());
      if (!claimed) continue;
      this.launch(row);
      started += 1;
    }
    // A finished sync wakes the loop early, so a full pool looks for more as soon as a slot frees up.
    return tuning.pollIntervalMs;
  }

  private launch(row: SinkStateRow): void {
    const task = this.runOne(row).finally(() => {
      this.inFlight.delete(row.appointment_id);
      this.wakeUp();
    });
    this.inFlight.set(row.appointment_id, task);
  }

  /** Syncs one claimed row and records the outcome; never throws. */
  private async runOne(row: SinkStateRow): Promise<void> {
    const { store, sink, handler, log, observer } = this.deps;
    const id = row.appointment_id;
    const at = () => new Date(this.now()).toISOString();
    try {
      if (row.state === 'orphaned') {
        await handler.retire(row);
        await retireSinkRow(store.db, sink, id, at());
        log.info({ sink, appointment_id: id, external_id: row.external_id }, 'removed the duplicate of a merged appointment');
        return;
      }
      const ctx: SyncContext = { saveExternalId: (externalId) => saveSinkExternalId(store.db, sink, id, externalId, at()) };
      const result = await handler.sync(row, ctx);
      const state = await completeSinkSync(store.db, store.quirks.name, sink, id, result, this.now(), at());
      observer.synced();
      log.debug({ sink, appointment_id: id, version: result.syncedVersion, external_id: result.externalId, state }, 'synced');
    } catch (err) {
      await this.recordFailure(row, err).catch((recordErr: unknown) =>
        // The claim's lease runs out and a later pass takes the row again.
        log.error({ err: recordErr, sink, appointment_id: id }, 'could not record a sync failure'),
      );
    }
  }

  private async recordFailure(row: SinkStateRow, err: unknown): Promise<void> {
    const { store, sink, handler, log, observer, tuning } = this.deps;
    const id = row.appointment_id;
    const now = this.now();
    const at = new Date(now).toISOString();
    const failure = handler.classify(err);
    switch (failure.kind) {
      case 'abandon':
        await releaseSinkClaim(store.db, sink, id, now, at);
        log.info({ sink, appointment_id: id, reason: failure.message }, 'sync interrupted; the row stays due');
        return;
      case 'permanent':
        if (row.state === 'orphaned') break; // a duplicate that cannot be removed now is retried later
        await failSinkSyncPermanently(store.db, sink, id, failure.message, at);
        observer.failed();
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
    observer.retried('sync_failed');
    log.warn({ sink, appointment_id: id, attempts: failures, retry_in_ms: delayMs, error: failure.message }, 'sync failed; will retry');
  }

  /** Sleeps up to `ms`, waking early on wakeUp() (a sync finished) or stop(). */
  private pause(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
