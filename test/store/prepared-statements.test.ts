// PostgreSQL parses and plans a statement calsync runs again and again only once per connection (issue 14):
// from its second run a statement is a named prepared statement. When the schema changes under a running
// pool (another instance migrating), PostgreSQL refuses the prepared statement whose result columns changed;
// that run fails once, and the same text then runs unprepared from then on.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type OpenedPostgres } from '../../src/store/postgres.js';
import { freshPostgresUrl, PG_AVAILABLE } from '../support/stores.js';

describe.skipIf(!PG_AVAILABLE)('prepared statements on PostgreSQL', () => {
  let location: { url: string; drop(): Promise<void> };
  let opened: OpenedPostgres;

  beforeAll(async () => {
    location = await freshPostgresUrl();
    opened = openPostgres(location.url);
    await sql`create table probe (id integer primary key, label text)`.execute(opened.db);
    await sql`insert into probe (id, label) values (1, 'one')`.execute(opened.db);
  });
  afterAll(async () => {
    await opened?.db.destroy();
    await location?.drop();
  });

  it('a statement run again is prepared once per connection, under a name of its text', async () => {
    const names = await opened.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 3; i++) {
        const { rows } = await sql<{ label: string }>`select label from probe where id = ${1}`.execute(trx);
        expect(rows).toEqual([{ label: 'one' }]);
      }
      const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(trx);
      return rows;
    });
    const probe = names.filter((r) => r.statement.includes('from probe where id'));
    expect(probe).toHaveLength(1);
    expect(probe[0]!.name).toMatch(/^calsync_[A-Za-z0-9_-]{32}$/);
  });

  it('after the table changes under it, one run fails and the text runs unprepared from then on', async () => {
    // One connection in a row (the pool reuses its idle one): prepare `select *` on it.
    for (let i = 0; i < 3; i++) await sql`select * from probe where id = ${1}`.execute(opened.db);
    await sql`alter table probe add column extra text`.execute(opened.db);
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        const { rows } = await sql<Record<string, unknown>>`select * from probe where id = ${1}`.execute(opened.db);
        outcomes.push(Object.keys(rows[0] ?? {}).sort().join(','));
      } catch (err) {
        outcomes.push(`failed ${(err as { code?: string }).code}`);
      }
    }
    expect(outcomes).toEqual(['failed 0A000', 'extra,id,label', 'extra,id,label']);
  });
});
