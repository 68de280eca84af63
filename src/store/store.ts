// Opens the configured store (embedded SQLite by default, PostgreSQL with DATABASE_URL), migrates it,
// and hands out one Kysely handle that every query function takes.
import { EVENT_WRITES_AT_ONCE, EVENT_WRITES_STEP_BY_STEP, type EventWrites } from './queries/event-writes.js';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import { migrateToLatest } from './migrations/index.js';
import { POSTGRES_QUIRKS, SQLITE_QUIRKS, type DialectQuirks } from './dialect.js';
import type { Db } from './db.js';
import { openSqlite } from './sqlite.js';
import { ALWAYS_LEADER, AdvisoryLockLeadership, type Leadership, type LeadershipOptions } from './leadership.js';
import { postgresLocks, SINGLE_WRITER_LOCKS, type StoreLocks } from './locks.js';

export type { Db } from './db.js';

export interface Store {
  readonly db: Db;
  readonly quirks: DialectQuirks;
  /** Where it lives, for logs: a directory or a redacted URL. */
  readonly location: string;
  /** The embedded store's directory (DATA_DIR); null on PostgreSQL, which keeps everything in the database. */
  readonly dataDir: string | null;
  /**
   * Whether the database aborted a transaction for a conflict with a concurrent one (serialization failure,
   * deadlock), so that running it again may succeed. Never on the single-writer embedded store.
   */
  isTransientConflict(err: unknown): boolean;
  /** Locks between writers (no-ops where one process writes). */
  readonly locks: StoreLocks;
  /** The intake's common writes, in the shape cheapest for this database (queries/event-writes.ts). */
  readonly eventWrites: EventWrites;
  /**
   * Runs `work` in a transaction of its own, again (a bounded number of times) when the database aborted it
   * for a conflict with a concurrent one (serialization failure, deadlock) or when `retryAlso` says so.
   */
  transactionWithRetry<T>(work: (trx: Db) => Promise<T>, retryAlso?: (err: unknown) => boolean): Promise<T>;
  /** Which instance may do the work named `name` (always this one on the embedded store). */
  leadership(name: string, log: Logger, options: LeadershipOptions): Leadership;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type StoreConfig = { kind: 'sqlite'; dataDir: string; log?: Pick<Logger, 'warn'> } | { kind: 'postgres'; url: string };

/** The store the configuration asks for: PostgreSQL with DATABASE_URL, else the embedded store in DATA_DIR. */
export function storeConfigFor(config: { databaseUrl: string | null; dataDir: string }, log?: Pick<Logger, 'warn'>): StoreConfig {
  if (config.databaseUrl) return { kind: 'postgres', url: config.databaseUrl };
  return log ? { kind: 'sqlite', dataDir: config.dataDir, log } : { kind: 'sqlite', dataDir: config.dataDir };
}

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.kind === 'sqlite') {
    const { db } = openSqlite(config.dataDir, config.log);
    return finishOpening(db, SQLITE_QUIRKS, config.dataDir, { kind: 'sqlite', dataDir: config.dataDir });
  }
  // Loaded only when used: the pg driver is a tenth of an embedded start-up's module loading.
  const { openPostgres } = await import('./postgres.js');
  const { db, pool, withoutQueryDeadline } = openPostgres(config.url);
  return finishOpening(db, POSTGRES_QUIRKS, redactUrl(config.url), { kind: 'postgres', pool }, withoutQueryDeadline);
}

async function finishOpening(
  db: Db,
  quirks: DialectQuirks,
  location: string,
  opened: Opened,
  // Migrations may run DDL on big tables: longer than any query deadline meant for requests.
  unbounded: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
): Promise<Store> {
  try {
    await unbounded(() => migrateToLatest(db as unknown as Kysely<unknown>, quirks));
  } catch (err) {
    await db.destroy();
    throw err;
  }
  let closed = false;
  const { releaseSessions, ...writes } = writing(db, opened);
  return {
    db,
    quirks,
    location,
    ...writes,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      // A leadership holds a connection of its own; the pool would wait for it forever.
      await releaseSessions();
      await db.destroy();
    },
  };
}

type Opened = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; pool: pg.Pool };

/** SQLSTATEs of a transaction PostgreSQL aborted for a conflict with a concurrent one: serialization failure, deadlock. */
const PG_RETRYABLE_CODES = new Set(['40001', '40P01']);
const MAX_TRANSACTION_ATTEMPTS = 5;

function isPostgresConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PG_RETRYABLE_CODES.has(code);
}

/** How the store is written safely: the one place that knows which database it is. */
type Writing = Pick<Store, 'dataDir' | 'isTransientConflict' | 'eventWrites' | 'locks' | 'transactionWithRetry' | 'leadership'> & { releaseSessions(): Promise<void> };

function writing(db: Db, opened: Opened): Writing {
  if (opened.kind === 'sqlite') {
    return {
      dataDir: opened.dataDir,
      isTransientConflict: () => false,
      eventWrites: EVENT_WRITES_STEP_BY_STEP,
      locks: SINGLE_WRITER_LOCKS,
      // One writer: a transaction never loses a race, so only the caller's own reasons repeat it.
      transactionWithRetry: (work, retryAlso) => transactionWithRetry(db, work, (err) => retryAlso?.(err) ?? false),
      leadership: () => ALWAYS_LEADER,
      releaseSessions: async () => {},
    };
  }
  const { pool } = opened;
  const leaderships = new Set<Leadership>();
  return {
    dataDir: null,
    isTransientConflict: isPostgresConflict,
    eventWrites: EVENT_WRITES_AT_ONCE,
    locks: postgresLocks(db),
    transactionWithRetry: (work, retryAlso) => transactionWithRetry(db, work, (err) => isPostgresConflict(err) || (retryAlso?.(err) ?? false)),
    leadership(name, log, options) {
      const leadership = new AdvisoryLockLeadership(pool, db, name, log, options);
      leaderships.add(leadership);
      return leadership;
    },
    async releaseSessions() {
      await Promise.all([...leaderships].map((l) => l.release().catch(() => {})));
    },
  };
}

async function transactionWithRetry<T>(db: Db, work: (trx: Db) => Promise<T>, retryable: (err: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (err) {
      if (attempt < MAX_TRANSACTION_ATTEMPTS && retryable(err)) continue;
      throw err;
    }
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}
