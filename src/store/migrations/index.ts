// Numbered migrations, run on every start by both dialects. Add a file `NNN-name.ts` and list it here;
// never edit one that has shipped.
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import type { DialectQuirks } from '../dialect.js';
import * as m001 from './001-initial.js';
import * as m002 from './002-notion.js';
import * as m003 from './003-bigint-calcom-ids.js';
import * as m004 from './004-admin-sessions.js';
import * as m005 from './005-calcom-2026.js';
import * as m006 from './006-outbound-webhooks.js';
import * as m007 from './007-refused-signatures.js';
import * as m008 from './008-partial-indexes.js';

type Step = { up(db: Kysely<unknown>, quirks: DialectQuirks): Promise<void> };

const STEPS: Record<string, Step> = {
  '001-initial': m001,
  '002-notion': m002,
  '003-bigint-calcom-ids': m003,
  '004-admin-sessions': m004,
  '005-calcom-2026': m005,
  '006-outbound-webhooks': m006,
  '007-refused-signatures': m007,
  '008-partial-indexes': m008,
};

export async function migrateToLatest(db: Kysely<unknown>, quirks: DialectQuirks): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(STEPS)) migrations[name] = { up: (d) => step.up(d, quirks) };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'calsync_migrations',
    migrationLockTableName: 'calsync_migrations_lock',
    // Fix: without a schema, Kysely counts a migration table in ANY schema of the database as ours, so a
    // second calsync schema in the same database (e.g. parallel test runs) skipped creating its own and
    // failed with 'relation "calsync_migrations_lock" does not exist'. Name the schema we run in.
    ...(quirks.name === 'postgres' ? { migrationTableSchema: await currentSchema(db) } : {}),
  });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return;
    // Kysely's look-up of its migration table walks every schema of the database; one dropped at that
    // moment by someone else (another deployment's teardown, a test's cleanup) fails it although ours is
    // fine. That is worth another try; nothing else is.
    if (attempt < MIGRATION_ATTEMPTS && isConcurrentCatalogChange(error)) {
      await new Promise((resolve) => setTimeout(resolve, MIGRATION_RETRY_DELAY_MS * attempt));
      continue;
    }
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const PG_INVALID_SCHEMA_NAME = '3F000';
const PG_UNDEFINED_TABLE = '42P01';

/**
 * Whether a failed migration run may have failed only because another schema changed under Kysely's
 * introspection. It lists every table of the database from the catalog as of its statement's start, and for
 * each column calls `pg_get_serial_sequence('<schema>.<table>', ...)`, which looks the name up as of now: a
 * schema dropped meanwhile fails it with 3F000 "schema does not exist", and a table dropped meanwhile (the
 * first step of `drop schema ... cascade`) with 42P01 "relation ... does not exist" naming that other table.
 * (Fix: CI once failed a start-up with the latter; only the former was retried.) Both are retried; a 42P01
 * of our own would fail again alike and be reported after the last attempt.
 */
export function isConcurrentCatalogChange(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === PG_INVALID_SCHEMA_NAME || code === PG_UNDEFINED_TABLE;
}
const MIGRATION_ATTEMPTS = 5;
const MIGRATION_RETRY_DELAY_MS = 100;

async function currentSchema(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('PostgreSQL has no current schema (check search_path in DATABASE_URL)');
  return schema;
}
