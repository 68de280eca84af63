// Numbered migrations, run on every start by both dialects. Add a file `NNN-name.ts` and list it here;
// never edit one that has shipped.
import { Migrator, type Kysely, type Migration } from 'kysely';
import type { DialectQuirks } from '../dialect.js';
import * as m001 from './001-initial.js';

type Step = { up(db: Kysely<unknown>, quirks: DialectQuirks): Promise<void> };

const STEPS: Record<string, Step> = {
  '001-initial': m001,
};

export async function migrateToLatest(db: Kysely<unknown>, quirks: DialectQuirks): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(STEPS)) migrations[name] = { up: (d) => step.up(d, quirks) };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'calsync_migrations',
    migrationLockTableName: 'calsync_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
