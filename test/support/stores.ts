// The two stores every storage-touching test runs against: a real SQLite file in a fresh temp dir, and a
// real PostgreSQL (TEST_DATABASE_URL, default the local `test` database) in a fresh schema per use.
// Without a reachable PostgreSQL the PostgreSQL half is reported as skipped, unless REQUIRE_PG=1 (CI),
// where it fails instead: a missing database must never pass silently there.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REQUIRE_PG = process.env.REQUIRE_PG === '1';

let pgProbe: Promise<boolean> | null = null;

/** Whether PostgreSQL answers; with REQUIRE_PG=1 an unreachable server throws instead. */
export async function postgresAvailable(): Promise<boolean> {
  pgProbe ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (err) {
      if (REQUIRE_PG) throw new Error(`REQUIRE_PG=1 but PostgreSQL at ${TEST_DATABASE_URL} is unreachable: ${(err as Error).message}`);
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return pgProbe;
}

export const PG_AVAILABLE = await postgresAvailable();

export type StoreKind = 'sqlite' | 'postgres';
/** The store kinds to run a suite over: both, or SQLite alone when PostgreSQL is absent (and not required). */
export const STORE_KINDS: StoreKind[] = PG_AVAILABLE ? ['sqlite', 'postgres'] : ['sqlite'];

export function tempDir(prefix = 'calsync-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Creates a fresh schema and returns a DATABASE_URL whose connections use it. */
export async function freshPostgresUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(TEST_DATABASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

export interface StoreLocation {
  kind: StoreKind;
  /** Environment for calsync: DATA_DIR or DATABASE_URL. */
  env: Record<string, string>;
  dataDir: string;
  cleanup(): Promise<void>;
}

export async function freshStoreLocation(kind: StoreKind): Promise<StoreLocation> {
  const dataDir = tempDir();
  if (kind === 'sqlite') {
    return { kind, env: { DATA_DIR: dataDir }, dataDir, cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const pgLoc = await freshPostgresUrl();
  return {
    kind,
    env: { DATA_DIR: dataDir, DATABASE_URL: pgLoc.url },
    dataDir,
    cleanup: async () => {
      await pgLoc.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
