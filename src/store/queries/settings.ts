// Small durable facts, keyed by name.
import type { Db } from '../store.js';

export async function selectSetting(db: Db, key: string): Promise<string | null> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function upsertSetting(db: Db, key: string, value: string, at: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
    .execute();
}

/** Stores the value unless the key exists; the caller reads back whichever value won. */
export async function insertSettingIfAbsent(db: Db, key: string, value: string, at: string): Promise<void> {
  await db.insertInto('settings').values({ key, value, updated_at: at }).onConflict((oc) => oc.column('key').doNothing()).execute();
}
