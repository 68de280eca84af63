// Opens the configured store (embedded SQLite by default, PostgreSQL with DATABASE_URL), migrates it,
// and hands out one Kysely handle that every query function takes.
import { Kysely, sql } from 'kysely';
import type pg from 'pg';
import { migrateToLatest } from './migrations/index.js';
import { POSTGRES_QUIRKS, SQLITE_QUIRKS, type DialectQuirks } from './dialect.js';
import type { Database } from './schema.js';
import { openPostgres } from './postgres.js';
import { SqliteThread, ThreadedSqliteDialect } from './sqlite-thread/client.js';

export type Db = Kysely<Database>;

export interface Store {
  readonly db: Db;
  readonly quirks: DialectQuirks;
  /** Where it lives, for logs: a directory or a redacted URL. */
  readonly location: string;
  /** The pg pool when on PostgreSQL (leadership needs its own session). */
  readonly pgPool: pg.Pool | null;
  /** On SQLite, the thread that owns the connection; intake hands it whole events to group-commit. */
  readonly sqliteThread: SqliteThread | null;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type StoreConfig = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.kind === 'sqlite') {
    const thread = await SqliteThread.open({ dataDir: config.dataDir });
    const db = new Kysely<Database>({ dialect: new ThreadedSqliteDialect(thread) });
    return finishOpening(db, SQLITE_QUIRKS, config.dataDir, null, thread);
  }
  const { db, pool } = openPostgres(config.url);
  return finishOpening(db, POSTGRES_QUIRKS, redactUrl(config.url), pool, null);
}

async function finishOpening(
  db: Db,
  quirks: DialectQuirks,
  location: string,
  pgPool: pg.Pool | null,
  sqliteThread: SqliteThread | null,
): Promise<Store> {
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>, quirks);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  let closed = false;
  return {
    db,
    quirks,
    location,
    pgPool,
    sqliteThread,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
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
