// Migrations run on every start: opening a store again must change nothing and lose nothing, on both
// stores, and two calsync schemas in one PostgreSQL database must each get their own tables.
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrations/index.js';
import { selectSetting, upsertSetting } from '../../src/store/queries/settings.js';
import { openStore, type Store } from '../../src/store/store.js';
import { storeConfigOf } from '../support/open-store.js';
import { freshStoreLocation, STORE_KINDS, type StoreLocation } from '../support/stores.js';

const TABLES = ['events', 'appointments', 'appointment_uids', 'sink_state', 'settings', 'rejected_deliveries'];

async function appliedMigrations(store: Store): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from calsync_migrations order by name`.execute(store.db);
  return rows.map((r) => r.name);
}

describe.each(STORE_KINDS)('migrations (%s)', (kind) => {
  const opened: Store[] = [];
  const locations: StoreLocation[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    for (const l of locations.splice(0)) await l.cleanup();
  });

  async function open(location: StoreLocation): Promise<Store> {
    const store = await openStore(storeConfigOf(location));
    opened.push(store);
    return store;
  }

  it('a fresh store gets every table, and each migration is recorded once', async () => {
    const location = await freshStoreLocation(kind);
    locations.push(location);
    const store = await open(location);
    for (const table of TABLES) {
      // Selecting from a missing table throws; an empty result proves it exists.
      await expect(sql`select * from ${sql.table(table)} where 1 = 0`.execute(store.db)).resolves.toBeDefined();
    }
    const names = await appliedMigrations(store);
    expect(names[0]).toBe('001-initial');
    expect(new Set(names).size).toBe(names.length);
  });

  it('opening the same store twice (a restart) applies nothing again and keeps the data', async () => {
    const location = await freshStoreLocation(kind);
    locations.push(location);
    const first = await open(location);
    const names = await appliedMigrations(first);
    await upsertSetting(first.db, 'survives', 'yes', '2031-03-01T10:00:00.000Z');
    await first.close();

    const second = await open(location);
    expect(await appliedMigrations(second)).toEqual(names);
    expect(await selectSetting(second.db, 'survives')).toBe('yes');
    // Running them once more on the open store is a no-op too.
    await migrateToLatest(second.db as unknown as Kysely<unknown>, second.quirks);
    expect(await appliedMigrations(second)).toEqual(names);
  });
});

describe.each(STORE_KINDS.filter((k) => k === 'postgres'))('migrations, several schemas in one database (%s)', (kind) => {
  const opened: Store[] = [];
  const locations: StoreLocation[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    for (const l of locations.splice(0)) await l.cleanup();
  });

  async function open(location: StoreLocation): Promise<Store> {
    const store = await openStore(storeConfigOf(location));
    opened.push(store);
    return store;
  }

  it('a second calsync schema in the same database gets its own migration tables', async () => {
    // Regression: Kysely looked for its migration tables in every schema, so a second schema found the
    // first one's, skipped creating its own, and failed with "relation calsync_migrations_lock does not exist".
    const [one, two] = [await freshStoreLocation(kind), await freshStoreLocation(kind)];
    locations.push(one, two);
    const first = await open(one);
    const second = await open(two);
    expect(await appliedMigrations(second)).toEqual(await appliedMigrations(first));
    await upsertSetting(first.db, 'where', 'one', '2031-03-01T10:00:00.000Z');
    expect(await selectSetting(second.db, 'where')).toBeNull();
  });
});
