// The one door through which events change the store. On SQLite (one writer) concurrent events share a
// transaction and a commit; on PostgreSQL each event has its own transaction and the server groups the
// WAL flushes of concurrent commits itself.
import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { CalsyncError } from '../errors.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { CommitBatcher, type Settled } from './commit-batcher.js';
import { bookingLocksFor } from './locks.js';
import { ConcurrentDuplicateError, recordEvent, type IncomingEvent, type IntakeContext, type IntakeOutcome } from './record-event.js';

const PG_RETRYABLE_CODES = new Set(['40001', '40P01']);
const PG_MAX_ATTEMPTS = 5;

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
      locks: bookingLocksFor(store.quirks.name),
      log: options.log,
    };
    this.batcher = store.quirks.name === 'sqlite' ? new CommitBatcher((items) => this.runSqliteBatch(items)) : null;
  }

  /** Stores and applies one event; resolves only once it is durably committed. */
  async submit(incoming: IncomingEvent): Promise<IntakeOutcome> {
    try {
      return this.batcher ? await this.batcher.submit(incoming) : await this.runPostgres(incoming);
    } catch (err) {
      throw translateStoreError(err);
    }
  }

  async idle(): Promise<void> {
    await this.batcher?.idle();
  }

  private async runSqliteBatch(items: IncomingEvent[]): Promise<Settled<IntakeOutcome>[]> {
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

  private async runPostgres(incoming: IncomingEvent): Promise<IntakeOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.db.transaction().execute((trx: Transaction<Database>) => recordEvent(trx, incoming, this.ctx));
      } catch (err) {
        const code = (err as { code?: string }).code;
        const retryable = err instanceof ConcurrentDuplicateError || (code !== undefined && PG_RETRYABLE_CODES.has(code));
        if (attempt < PG_MAX_ATTEMPTS && retryable) continue;
        throw err;
      }
    }
  }
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300']);

/** Failures to reach the store become 503 (the sender may retry); anything else stays a bug (500). */
export function translateStoreError(err: unknown): unknown {
  if (err instanceof CalsyncError) return err;
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? '';
  if (
    (e?.code && (CONNECTION_ERROR_CODES.has(e.code) || e.code.startsWith('08'))) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|database is locked|SQLITE_BUSY|driver has already been destroyed/i.test(message)
  ) {
    return new CalsyncError('store_unavailable');
  }
  return err;
}
