// Runs reconciliation one at a time: within a process (the periodic worker, POST /api/reconcile and the
// CLI share one Reconciler), and across instances through the store's exclusive lock (src/store/locks.ts:
// an advisory lock on PostgreSQL, released if the instance dies; nothing on the embedded store, which one
// process owns). The run's writes go through the intake as usual.
import type { Logger } from 'pino';
import type { CalcomApiClient } from '../calcom/api/client.js';
import { CalsyncError } from '../errors.js';
import type { IncomingEvent, IntakeOutcome } from '../intake/record-event.js';
import { selectSetting } from '../store/queries/settings.js';
import type { Store } from '../store/store.js';
import { reconcileOnce, RECONCILE_LAST_RUN_KEY, type ReconcileOptions, type ReconcileSummary } from './reconcile.js';

/** The store lock held while a reconciliation runs. */
export const RECONCILE_LOCK_NAME = 'calsync:reconcile';

export interface ReconcilerDeps {
  store: Store;
  client: CalcomApiClient;
  intake: { submit(incoming: IncomingEvent): Promise<IntakeOutcome> };
  log: Logger;
  now?: () => Date;
}

export class Reconciler {
  private running: Promise<ReconcileSummary> | null = null;

  constructor(private readonly deps: ReconcilerDeps) {}

  /** Runs once; `conflict` (409) when a run is already going here or on another instance. */
  async run(options: ReconcileOptions = {}): Promise<ReconcileSummary> {
    if (this.running) throw new CalsyncError('conflict', 'A reconciliation is already running');
    this.running = this.runLocked(options);
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  /** When the last run finished (any instance), from the store. */
  async lastFinishedAt(): Promise<number | null> {
    const raw = await selectSetting(this.deps.store.db, RECONCILE_LAST_RUN_KEY);
    if (raw === null) return null;
    try {
      const at = Date.parse((JSON.parse(raw) as { finished_at?: string }).finished_at ?? '');
      return Number.isNaN(at) ? null : at;
    } catch {
      return null;
    }
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async runLocked(options: ReconcileOptions): Promise<ReconcileSummary> {
    const { store, client, intake, log, now } = this.deps;
    const run = () => reconcileOnce({ db: store.db, client, intake, log, ...(now ? { now } : {}) }, options);
    const locked = await store.locks.exclusive(RECONCILE_LOCK_NAME, run);
    if (!locked.ran) throw new CalsyncError('conflict', 'A reconciliation is already running on another calsync instance');
    return locked.value;
  }
}
