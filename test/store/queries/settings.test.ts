// Small durable facts (generated secrets live here) on both stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectSetting, upsertSetting } from '../../../src/store/queries/settings.js';
import { openFreshStore, type OpenedTestStore } from '../../support/open-store.js';
import { STORE_KINDS } from '../../support/stores.js';

describe.each(STORE_KINDS)('settings queries (%s)', (kind) => {
  let t: OpenedTestStore;
  beforeAll(async () => {
    t = await openFreshStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('an unknown key is null; upsert inserts, then replaces', async () => {
    expect(await selectSetting(t.store.db, 'k')).toBeNull();
    await upsertSetting(t.store.db, 'k', 'one', '2031-03-01T10:00:00.000Z');
    expect(await selectSetting(t.store.db, 'k')).toBe('one');
    await upsertSetting(t.store.db, 'k', 'two', '2031-03-01T11:00:00.000Z');
    expect(await selectSetting(t.store.db, 'k')).toBe('two');
  });
});
