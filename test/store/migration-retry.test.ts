// Kysely's migrator finds its own tables by introspecting every schema of the database. The introspection
// reads the catalog as of its statement's start but resolves each table's name as of now, so a table that
// someone else drops meanwhile (another calsync's teardown, a parallel test's cleanup) fails it with 42P01
// "relation ... does not exist", naming that other table, although nothing is wrong with ours. CI failed a
// start-up that way once; migrateToLatest retries such failures. Here the race is made deterministic: a
// repeatable-read transaction pins the introspection's catalog snapshot from before another connection
// drops a table.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConcurrentCatalogChange } from '../../src/store/migrations/index.js';
import { freshPostgresUrl, PG_AVAILABLE } from '../support/stores.js';

describe.skipIf(!PG_AVAILABLE)('migrations while other schemas change (PostgreSQL)', () => {
  let ours: { url: string; drop(): Promise<void> };
  let theirs: { url: string; drop(): Promise<void> };
  let db: Kysely<unknown>;
  let other: pg.Client;

  beforeAll(async () => {
    ours = await freshPostgresUrl();
    theirs = await freshPostgresUrl();
    db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: ours.url, max: 1 }) }) });
    other = new pg.Client({ connectionString: theirs.url });
    await other.connect();
    await other.query('create table calsync_migrations_lock (id varchar(255) primary key, is_locked integer not null default 0)');
  });
  afterAll(async () => {
    await other?.end();
    await db?.destroy();
    await theirs?.drop();
    await ours?.drop();
  });

  it('a table dropped under the introspection fails it with an error migrateToLatest retries', async () => {
    const failure = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`select 1`.execute(trx); // the snapshot: the other schema's table still exists
        await other.query('drop table calsync_migrations_lock');
        return trx.introspection.getTables({ withInternalKyselyTables: true }).then(
          () => null,
          (err: unknown) => err,
        );
      });
    expect(failure).not.toBeNull();
    expect((failure as { code?: string }).code).toBe('42P01');
    expect((failure as Error).message).toMatch(/calsync_migrations_lock" does not exist/);
    expect(isConcurrentCatalogChange(failure)).toBe(true);
  });

  it('other failures are not retried', () => {
    expect(isConcurrentCatalogChange(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
    expect(isConcurrentCatalogChange(new Error('no code'))).toBe(false);
    expect(isConcurrentCatalogChange(null)).toBe(false);
  });
});
