// One group commit on SQLite: every event that arrived while the previous commit ran shares one
// transaction and one fsync, each inside its own savepoint so a failing event rolls back alone. Runs on the
// thread that owns the SQLite connection (src/store/sqlite-thread/).
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../store/store.js';
import type { Settled } from './commit-batcher.js';
import { recordEvent, type IncomingEvent, type IntakeContext, type IntakeOutcome } from './record-event.js';

export interface BatchItem {
  incoming: IncomingEvent;
  ctx: IntakeContext;
}

export async function recordBatch(db: Db, items: readonly BatchItem[], log: Logger): Promise<Settled<IntakeOutcome>[]> {
  const trx = await db.startTransaction().execute();
  const results: Settled<IntakeOutcome>[] = [];
  try {
    for (const [i, item] of items.entries()) {
      await sql.raw(`savepoint e${i}`).execute(trx);
      try {
        results.push({ ok: true, value: await recordEvent(trx, item.incoming, item.ctx) });
        await sql.raw(`release savepoint e${i}`).execute(trx);
      } catch (error) {
        await sql.raw(`rollback to savepoint e${i}`).execute(trx);
        await sql.raw(`release savepoint e${i}`).execute(trx);
        log.error({ err: error, trigger: item.incoming.trigger }, 'event failed inside its batch; rolled back alone');
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
