// One process at a time owns a DATA_DIR: a second opener gets a clear error naming the owner, and the
// lock goes away with its owner.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError } from '../../src/store/sqlite.js';
import { openStore, type Store } from '../../src/store/store.js';
import { tempDir } from '../support/stores.js';

describe('the data dir lock (sqlite)', () => {
  const opened: Store[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('a second openStore on the same DATA_DIR throws DataDirLockedError naming the owner pid', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    opened.push(await openStore({ kind: 'sqlite', dataDir }));
    const second = openStore({ kind: 'sqlite', dataDir });
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toThrow(`pid ${process.pid}`);
    await expect(second).rejects.toThrow(dataDir);
    const owner = JSON.parse(fs.readFileSync(path.join(dataDir, 'owner.json'), 'utf8')) as { pid: number };
    expect(owner.pid).toBe(process.pid);
  });

  it('the lock is released on close: the next opener gets the store, data intact', async () => {
    const dataDir = tempDir();
    dirs.push(dataDir);
    const first = await openStore({ kind: 'sqlite', dataDir });
    await first.db.insertInto('settings').values({ key: 'k', value: 'v', updated_at: '2031-03-01T10:00:00.000Z' }).execute();
    await first.close();
    const second = await openStore({ kind: 'sqlite', dataDir });
    opened.push(second);
    expect((await second.db.selectFrom('settings').select('value').where('key', '=', 'k').executeTakeFirst())?.value).toBe('v');
    await expect(openStore({ kind: 'sqlite', dataDir })).rejects.toBeInstanceOf(DataDirLockedError);
  });

  it('different data dirs do not block each other', async () => {
    const [a, b] = [tempDir(), tempDir()];
    dirs.push(a, b);
    opened.push(await openStore({ kind: 'sqlite', dataDir: a }));
    opened.push(await openStore({ kind: 'sqlite', dataDir: b }));
    expect(opened).toHaveLength(2);
  });
});
