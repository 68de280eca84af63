// Statements compiled once per shape (src/store/compiled.ts) on both stores: later runs bind their own values
// in the compiler's order, every shape gets its own text, a value the template takes from outside its values
// is refused, and inside a transaction the statement runs on that transaction's connection.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledStatement } from '../../src/store/compiled.js';
import { openFreshStore, type OpenedTestStore } from '../support/open-store.js';
import { STORE_KINDS } from '../support/stores.js';

type Values = { key: string; uids: readonly string[]; n: number; label: string | null; optional: string | null };

/** Echoes its values back as rows, so a value bound to the wrong placeholder shows. */
const echo = compiledStatement(
  'test-echo',
  ({ key, uids, n, label, optional }: Values, shape) => {
    const rows = uids.map((uid, i) => sql`select ${key} as key, ${uid} as uid, ${i} as i, ${n} as n, ${label} as label`);
    const withOptional = shape === 'with-optional' ? sql`, ${optional} as optional` : sql``;
    const tail = sql`select ${key} as key, null as uid, ${-1} as i, ${n} as n, ${label} as label`;
    return sql<{ key: string; uid: string | null; i: number; n: number; label: string | null; optional?: string | null }>`
      select q.*${withOptional} from (${sql.join([...rows, tail], sql` union all `)}) q order by q.i`;
  },
  (v) => (v.optional === null ? 'without' : 'with-optional'),
);

describe.each(STORE_KINDS)('statements compiled once per shape (%s)', (kind) => {
  let t: OpenedTestStore;
  beforeAll(async () => {
    t = await openFreshStore(kind);
    await sql`create table compiled_probe (id integer primary key, note text not null)`.execute(t.store.db);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('binds each run its own values, in order, for every shape (array lengths and named shapes)', async () => {
    const runs: Values[] = [
      { key: 'a', uids: ['u1'], n: 1, label: 'first', optional: null },
      { key: 'b', uids: ['u2'], n: 2, label: null, optional: null },
      { key: 'c', uids: ['u3', 'u4', 'u5'], n: 3, label: 'third', optional: null },
      { key: 'd', uids: [], n: 4, label: 'none', optional: null },
      { key: 'e', uids: ['u6', 'u7'], n: 5, label: 'fifth', optional: 'extra' },
      { key: 'f', uids: ['u8'], n: 6, label: 'sixth', optional: null },
      { key: 'g', uids: ['u9', 'u10', 'u11'], n: 7, label: null, optional: 'more' },
    ];
    for (const v of runs) {
      const { rows } = await echo(t.store.db, v);
      const expected = [
        { key: v.key, uid: null, i: -1, n: v.n, label: v.label },
        ...v.uids.map((uid, i) => ({ key: v.key, uid, i, n: v.n, label: v.label })),
      ].map((r) => (v.optional === null ? r : { ...r, optional: v.optional }));
      expect(rows.map((r) => ({ ...r, i: Number(r.i), n: Number(r.n) }))).toEqual(expected);
    }
  });

  it('keeps a constant of the template, and refuses a key missing from the values (it would be frozen into the text)', async () => {
    const withConstant = compiledStatement('test-constant', ({ key }: { key: string }) => sql<{ key: string; x: string }>`select ${key} as key, ${'constant'} as x`);
    expect((await withConstant(t.store.db, { key: 'k1' })).rows).toEqual([{ key: 'k1', x: 'constant' }]);
    expect((await withConstant(t.store.db, { key: 'k2' })).rows).toEqual([{ key: 'k2', x: 'constant' }]);
    const missing = compiledStatement('test-missing', (v: { key: string; absent: string | null }) => sql`select ${v.key} as key, ${v.absent} as absent`);
    await expect(missing(t.store.db, { key: 'k' } as unknown as { key: string; absent: string | null })).rejects.toThrow(/not among its values/);
  });

  it('inside a transaction runs on its connection: sees its writes, and a rollback undoes its own', async () => {
    const insert = compiledStatement('test-insert', ({ id, note }: { id: number; note: string }) => sql`insert into compiled_probe (id, note) values (${id}, ${note})`);
    const count = compiledStatement('test-count', ({ note }: { note: string }) => sql<{ n: number }>`select count(*) as n from compiled_probe where note = ${note}`);
    const trx = await t.store.db.startTransaction().execute();
    await sql`insert into compiled_probe (id, note) values (${1}, ${'rolled-back'})`.execute(trx);
    await insert(trx, { id: 2, note: 'rolled-back' });
    expect(Number((await count(trx, { note: 'rolled-back' })).rows[0]?.n)).toBe(2);
    await trx.rollback().execute();
    expect(Number((await count(t.store.db, { note: 'rolled-back' })).rows[0]?.n)).toBe(0);
    // An ended transaction is refused, never run on a connection it no longer holds.
    await expect(insert(trx, { id: 5, note: 'after the end' })).rejects.toThrow(/rolled back/i);

    await t.store.db.transaction().execute(async (trx2) => {
      await insert(trx2, { id: 3, note: 'kept' });
      await insert(trx2, { id: 4, note: 'kept' });
    });
    expect(Number((await count(t.store.db, { note: 'kept' })).rows[0]?.n)).toBe(2);
  });
});
