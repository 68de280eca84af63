// The one door through which events change the store. Group commit on both stores: events that arrive
// while a transaction is being written wait and then share the next one, so a batch pays one BEGIN, one
// COMMIT and one durable flush (an fsync on embedded SQLite, a WAL flush on PostgreSQL) instead of one per
// event. A batch is optimistic: it runs its events one after the other in one transaction without savepoints;
// if any of them fails, the whole transaction rolls back and each event runs again in a transaction of its
// own (with the store's retries), so one bad or unlucky event never takes the others down with it. Failing
// to reach the store fails the batch (503 for each), since a transaction of its own would fail alike.
import type { Logger } from 'pino';
import { CalsyncError } from '../errors.js';
import type { Store } from '../store/store.js';
import { isStoreUnreachable } from '../store/unreachable.js';
import { CommitBatcher, type Settled } from './commit-batcher.js';
import { bookingLocksFor } from './locks.js';
import { ConcurrentDuplicateError, recordEvent, type IncomingEvent, type IntakeContext, type IntakeOutcome } from './record-event.js';

/** Events waiting for a commit at most. */
export const MAX_EVENTS_WAITING = 4096;

export interface IntakeOptions {
  sinks: readonly string[];
  log: Logger;
  now?: () => Date;
}

export class Intake {
  private readonly ctx: IntakeContext;
  private readonly batcher: CommitBatcher<IncomingEvent, IntakeOutcome>;

  constructor(
    private readonly store: Store,
    options: IntakeOptions,
  ) {
    this.ctx = {
      now: options.now ?? (() => new Date()),
      sinks: options.sinks,
      locks: bookingLocksFor(store),
      writes: store.eventWrites,
      log: options.log,
    };
    // Events waiting for a commit at most (the store answers each batch within its query deadlines; beyond
    // this many waiting, it is not keeping up and a sender is better told so at once: 503, try again).
    this.batcher = new CommitBatcher((items) => this.runBatch(items), {
      maxQueued: MAX_EVENTS_WAITING,
      overflow: () => new CalsyncError('store_unavailable'),
    });
  }

  /** Stores and applies one event; resolves only once it is durably committed. */
  async submit(incoming: IncomingEvent): Promise<IntakeOutcome> {
    try {
      return await this.batcher.submit(incoming);
    } catch (err) {
      throw translateStoreError(err);
    }
  }

  async idle(): Promise<void> {
    await this.batcher.idle();
  }

  private async runBatch(items: IncomingEvent[]): Promise<Settled<IntakeOutcome>[]> {
    try {
      return await this.runTogether(items);
    } catch (error) {
      if (isStoreUnreachable(error)) throw error;
      const [only] = items;
      if (only !== undefined && items.length === 1 && !this.retriesAlone(error)) {
        // Alone already, and not a race that another try could win: running it again would fail alike.
        this.ctx.log.error({ err: error, trigger: only.trigger }, 'event failed; rolled back alone');
        return [{ ok: false, error }];
      }
      this.ctx.log.warn({ err: error, events: items.length }, 'a batch of events failed; each runs again in a transaction of its own');
    }
    const results: Settled<IntakeOutcome>[] = [];
    for (const item of items) {
      try {
        results.push({ ok: true, value: await this.runAlone(item) });
      } catch (error) {
        if (!isStoreUnreachable(error)) this.ctx.log.error({ err: error, trigger: item.trigger }, 'event failed; rolled back alone');
        results.push({ ok: false, error });
      }
    }
    return results;
  }

  /** Every item in one transaction, in arrival order; throws (having rolled back) when any of them fails. */
  private async runTogether(items: IncomingEvent[]): Promise<Settled<IntakeOutcome>[]> {
    const trx = await this.store.db.startTransaction().execute();
    const results: Settled<IntakeOutcome>[] = [];
    try {
      for (const item of items) results.push({ ok: true, value: await recordEvent(trx, item, this.ctx) });
      await trx.commit().execute();
    } catch (err) {
      await trx.rollback().execute().catch(() => {});
      throw err;
    }
    return results;
  }

  private retriesAlone(error: unknown): boolean {
    return error instanceof ConcurrentDuplicateError || this.store.isTransientConflict(error);
  }

  /** One transaction of its own, again when it lost a race with a concurrent one (the store knows which errors say so). */
  private runAlone(incoming: IncomingEvent): Promise<IntakeOutcome> {
    return this.store.transactionWithRetry(
      (trx) => recordEvent(trx, incoming, this.ctx),
      (err) => err instanceof ConcurrentDuplicateError,
    );
  }
}

/** Failures to reach the store become 503 (the sender may retry); anything else stays a bug (500). */
export function translateStoreError(err: unknown): unknown {
  if (err instanceof CalsyncError) return err;
  return isStoreUnreachable(err) ? new CalsyncError('store_unavailable') : err;
}
