// Locks between writers, behind the store's interface so that no caller asks which database it is. On
// PostgreSQL several calsync instances may write at once: transaction-scoped advisory locks, row locks, and
// an exclusive lock for work one instance at a time may do. The embedded SQLite store has a single
// writing process whose transactions are already serial, so every lock there is a no-op.
import { sql, type RawBuilder } from 'kysely';
import { compiledStatement } from './compiled.js';
import type { Db } from './db.js';
import type { AppointmentRow } from './schema.js';

export interface AdvisoryLock {
  /** What is locked, e.g. `calsync:uid:<uid>`; hashed with the schema into the key (advisoryKey). */
  name: string;
  /** Shared holders do not wait on each other, only on an exclusive holder. */
  shared?: boolean;
}

export interface StoreLocks {
  /**
   * Transaction-scoped advisory locks, taken in the given order in one round trip and released when the
   * transaction `db` ends. `plan` is called only where locks exist, so reads that merely pick lock names
   * cost nothing on a single-writer store.
   */
  advisory(db: Db, plan: () => readonly AdvisoryLock[] | Promise<readonly AdvisoryLock[]>): Promise<void>;
  /** Row locks on appointments (select ... for update), taken in id order, inside the transaction `db`. */
  appointments(db: Db, ids: readonly number[]): Promise<void>;
  /**
   * The same row locks, returning the locked rows (in id order) in the same round trip; where locks are
   * no-ops, a plain read of the rows.
   */
  lockedAppointments(db: Db, ids: readonly number[]): Promise<AppointmentRow[]>;
  /**
   * Runs `work` while this instance holds the named lock across instances (released when `work` ends, or
   * by the server if the process dies); `{ ran: false }` at once when another instance holds it.
   */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

/**
 * The one advisory-lock key of calsync: 64 bits hashed from the schema and the lock's name, so deployments
 * (or test schemas) sharing one database never wait on each other. Every advisory lock (booking locks,
 * reconciliation, sink leadership) is keyed by this.
 */
export function advisoryKey(name: string): RawBuilder<unknown> {
  return sql`hashtextextended(current_schema() || ':' || ${name}::text, 0)`;
}

export const SINGLE_WRITER_LOCKS: StoreLocks = {
  async advisory() {},
  async appointments() {},
  async lockedAppointments(trx, ids) {
    const sorted = sortedIds(ids);
    if (sorted.length === 0) return [];
    return (await SELECT_APPOINTMENTS(trx, { ids: sorted })).rows;
  },
  async exclusive(_name, work) {
    return { ran: true, value: await work() };
  },
};

export function postgresLocks(db: Db): StoreLocks {
  return {
    async advisory(trx, plan) {
      const locks = await plan();
      if (locks.length === 0) return;
      await ADVISORY_LOCKS(trx, { names: locks.map((l) => l.name), shared: locks.map((l) => (l.shared ? 1 : 0)) });
    },
    async appointments(trx, ids) {
      const sorted = sortedIds(ids);
      if (sorted.length > 0) await sql`select id from appointments where id in (${sql.join(sorted)}) order by id for update`.execute(trx);
    },
    async lockedAppointments(trx, ids) {
      const sorted = sortedIds(ids);
      if (sorted.length === 0) return [];
      return (await LOCK_APPOINTMENTS(trx, { ids: sorted })).rows;
    },
    async exclusive(name, work) {
      // The lock's transaction stays open for the work on a connection of its own and does nothing else;
      // the work's writes go through other connections as usual.
      return db.transaction().execute(async (trx) => {
        // The transaction idles while the work runs elsewhere, for longer than an idle transaction is
        // normally allowed; a vanished process still loses the lock with its connection (TCP keepalive).
        await sql`set local idle_in_transaction_session_timeout = 0`.execute(trx);
        const result = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${advisoryKey(name)}) as locked`.execute(trx);
        if (result.rows[0]?.locked !== true) return { ran: false as const };
        return { ran: true as const, value: await work() };
      });
    },
  };
}

const SELECT_APPOINTMENTS = compiledStatement(
  'select-appointments',
  ({ ids }: { ids: readonly number[] }) => sql<AppointmentRow>`select * from appointments where id in (${sql.join(ids)}) order by id`,
);

const LOCK_APPOINTMENTS = compiledStatement(
  'lock-appointments',
  ({ ids }: { ids: readonly number[] }) => sql<AppointmentRow>`select * from appointments where id in (${sql.join(ids)}) order by id for update`,
);

/**
 * Advisory locks in the given order, in one statement: PostgreSQL evaluates a select list left to right, so
 * this waits on each lock in turn exactly as separate statements would. Which are shared is the shape.
 */
const ADVISORY_LOCKS = compiledStatement(
  'advisory-locks',
  ({ names }: { names: readonly string[]; shared: readonly number[] }, shape) => {
    const calls = names.map((name, i) =>
      shape[i] === 's' ? sql`pg_advisory_xact_lock_shared(${advisoryKey(name)})` : sql`pg_advisory_xact_lock(${advisoryKey(name)})`,
    );
    return sql`select ${sql.join(calls)}`;
  },
  ({ shared }) => shared.map((s) => (s === 1 ? 's' : 'x')).join(''),
);

function sortedIds(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}
