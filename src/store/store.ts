// Opens the configured store (embedded SQLite by default, PostgreSQL with DATABASE_URL), migrates it,
// and hands out one Kysely handle that every query function takes.
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { migrateToLatest } from './migrations/index.js';
import { POSTGRES_QUIRKS, SQLITE_QUIRKS, type DialectQuirks } from './dialect.js';
import type { Database } from './schema.js';
import { openSqlite } from './sqlite.js';

export type Db = Kysely<Database>;

export interface Store {
  readonly db: Db;
  readonly quirks: DialectQuirks;
  /** Where it lives, for logs: a directory or a redacted URL. */
  readonly location: string;
  /** The pg pool when on PostgreSQL (leadership needs its own session). */
  readonly pgPool: pg.Pool | null;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type StoreConfig = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.kind === 'sqlite') {
    const { db } = openSqlite(config.dataDir);
    return finishOpening(db, SQLITE_QUIRKS, config.dataDir, null);
  }
  // Loaded only when used: the pg driver is a tenth of an embedded start-up's module loading.
  const { openPostgres } = await import('./postgres.js');
  const { db, pool } = openPostgres(config.url);
  return finishOpening(db, POSTGRES_QUIRKS, redactUrl(config.url), pool);
}

async function finishOpening(db: Db, quirks: DialectQuirks, location: string, pgPool: pg.Pool | null): Promise<Store> {
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
