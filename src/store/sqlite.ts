// The embedded store: one SQLite file in DATA_DIR, WAL with synchronous=FULL so a committed event survives
// power loss, and SQLite's EXCLUSIVE locking mode as the data dir's lock: the OS releases it when the owner
// dies (even by SIGKILL), so there is no stale lock file to clean up by hand.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Logger } from 'pino';
import { DATA_FILE_MODE, secureDataDir } from './data-dir-modes.js';
import type { Database as Schema } from './schema.js';

export const SQLITE_FILE_NAME = 'calsync.db';
const OWNER_FILE_NAME = 'owner.json';
const BUSY_TIMEOUT_MS = 5000;

export class DataDirLockedError extends Error {
  constructor(dataDir: string, owner: string) {
    super(`DATA_DIR ${dataDir} is in use by another calsync process (${owner}); stop it or choose another DATA_DIR`);
    this.name = 'DataDirLockedError';
  }
}

export interface OpenedSqlite {
  db: Kysely<Schema>;
  raw: Database.Database;
  /** Files and the directory whose permissions were tightened on this start (old mode in octal). */
  tightened: { path: string; was: string }[];
}

export function openSqlite(dataDir: string, log?: Pick<Logger, 'warn'>): OpenedSqlite {
  const file = path.join(dataDir, SQLITE_FILE_NAME);
  // Owner-only before SQLite touches anything (its -wal and -shm copy the database file's mode).
  const tightened = secureDataDir(dataDir, file);
  if (tightened.length > 0) {
    log?.warn({ data_dir: dataDir, tightened }, 'DATA_DIR was readable by other users: tightened to 0700 (directory) and 0600 (files)');
  }
  const raw = new Database(file);
  try {
    raw.pragma('locking_mode = EXCLUSIVE');
    // No waiting while probing the lock: a second process must fail at once with a clear message.
    raw.pragma('busy_timeout = 0');
    raw.pragma('journal_mode = WAL');
    // An immediate write transaction takes the exclusive lock now and, in EXCLUSIVE mode, keeps it.
    raw.exec('BEGIN IMMEDIATE; COMMIT;');
  } catch (err) {
    raw.close();
    if (isBusy(err)) throw new DataDirLockedError(dataDir, describeOwner(dataDir));
    throw err;
  }
  raw.pragma('synchronous = FULL');
  raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  raw.pragma('foreign_keys = ON');
  fs.writeFileSync(
    path.join(dataDir, OWNER_FILE_NAME),
    JSON.stringify({ pid: process.pid, since: new Date().toISOString() }) + '\n',
    { mode: DATA_FILE_MODE },
  );
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  return { db, raw, tightened };
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every query anew; with a fixed set of query shapes, reusing prepared statements saves
 * about a tenth of the intake's CPU. Kysely runs statements with all()/run() only, never leaving one mid-
 * iteration, so a statement can be shared between queries.
 */
function withStatementCache(raw: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = (source: string): Database.Statement => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = raw.prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(source, stmt);
    }
    return stmt;
  };
  return new Proxy(raw, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

function describeOwner(dataDir: string): string {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(dataDir, OWNER_FILE_NAME), 'utf8')) as { pid?: number };
    return owner.pid ? `pid ${owner.pid}` : 'unknown pid';
  } catch {
    return 'unknown pid';
  }
}
