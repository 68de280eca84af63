// The one door through which events change the store. Where one process writes and each commit costs an
// fsync (embedded SQLite), concurrent events share a transaction and a commit; where several instances
// write (PostgreSQL), each event has its own transaction and the server groups the WAL flushes of
// concurrent commits itself.
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { CalsyncError } from '../errors.js';
import type { Store } from '../store/store.js';
import { isStoreUnreachable } from '../store/unreachable.js';
import { CommitBatcher, type Settled } from './commit-batcher.js';
import { bookingLocksFor } from './locks.js';
import { ConcurrentDuplicateError, recordEvent, type IncomingEvent, type IntakeContext, type IntakeOutcome } from './record-event.js';

export interface IntakeOptions {
  sinks: readonly string[];
  log: Logger;
  now?: () => Date;
}

export class Intake {
  private readonly ctx: IntakeContext;
  private readonly batcher: CommitBatcher<IncomingEvent, IntakeOutcome> | null;

  constructor(
    private readonly store: Store,
    options: IntakeOptions,
  ) {
    this.ctx = {
      now: options.now ?? (() => new Date()),
      sinks: options.sinks,
      locks: bookingLocksFor(store),
      log: options.log,
    };
    this.batcher = store.groupsCommits ? new CommitBatcher((items) => this.runBatch(items)) : null;
  }

  /** Stores and applies one event; resolves only once it is durably committed. */
  async submit(incoming: IncomingEvent): Promise<IntakeOutcome> {
    try {
      return this.batcher ? await this.batcher.submit(incoming) : await this.runAlone(incoming);
    } catch (err) {
      throw translateStoreError(err);
    }
  }

  async idle(): Promise<void> {
    await this.batcher?.idle();
  }

  private async runBatch(items: IncomingEvent[]): Promise<Settled<IntakeOutcome>[]> {
    const trx = await this.store.db.startTransaction().execute();
    const results: Settled<IntakeOutcome>[] = [];
    try {
      for (const [i, item] of items.entries()) {
        await sql.raw(`savepoint e${i}`).execute(trx);
        try {
          results.push({ ok: true, value: await recordEvent(trx, item, this.ctx) });
          await sql.raw(`release savepoint e${i}`).execute(trx);
        } catch (error) {
          await sql.raw(`rollback to savepoint e${i}`).execute(trx);
          await sql.raw(`release savepoint e${i}`).execute(trx);
          this.ctx.log.error({ err: error, trigger: item.trigger }, 'event failed inside its batch; rolled back alone');
          results.push({ ok: false, error });
        }
      }
      await trx.commit().execute();
    } catch (err) {
      await trx.rollback().execute().catch(() => {});
      throw err;
    }
    return results;
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
