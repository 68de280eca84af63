// The periodic reconciliation: shortly after start (to repair what was missed while calsync was down), then
// every RECONCILE_INTERVAL_MINUTES. A loop that never dies: a failed run is logged and the next one comes
// on schedule. With several instances on one PostgreSQL, the lock makes runs exclusive, and an instance
// skips its turn when another finished a run less than half an interval ago, so the API is read about
// once per interval whatever the number of instances.
import type { Logger } from 'pino';
import type { Worker } from '../feature.js';
import { CalsyncError } from '../errors.js';
import type { Reconciler } from './reconciler.js';

/** Delay of the first run after start: long enough for start-up to settle, short enough to repair soon. */
export const RECONCILE_START_DELAY_MS = 2_000;

type WorkerState = 'idle' | 'running' | 'stopping' | 'stopped';

export class ReconcileWorker implements Worker {
  readonly name = 'reconcile';
  private state: WorkerState = 'idle';
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;

  constructor(
    private readonly reconciler: Reconciler,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly startDelayMs = RECONCILE_START_DELAY_MS,
  ) {}

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.schedule(Math.min(this.startDelayMs, this.intervalMs));
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
    this.state = 'stopped';
  }

  private schedule(delayMs: number): void {
    if (this.state !== 'running') return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.current = this.tick().finally(() => {
        this.current = null;
        this.schedule(this.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const last = await this.reconciler.lastFinishedAt();
      if (last !== null && Date.now() - last < this.intervalMs / 2) {
        this.log.debug({ last_finished_at: new Date(last).toISOString() }, 'reconcile: ran recently (maybe on another instance); skipping this turn');
        return;
      }
      const summary = await this.reconciler.run({ shouldStop: () => this.state !== 'running' });
      const level = summary.recorded > 0 || !summary.complete ? 'info' : 'debug';
      this.log[level]({ reconcile: summary }, 'reconcile: periodic run finished');
    } catch (err) {
      if (err instanceof CalsyncError && err.code === 'conflict') {
        this.log.debug({ reason: err.message }, 'reconcile: skipping this turn');
        return;
      }
      this.log.warn({ err }, 'reconcile: periodic run failed; the next one comes on schedule');
    }
  }
}
