// Migration 008's partial indexes on both stores: each index holds only the rows looked up through it (so an
// ordinary new booking writes neither), and the queries that need them still use them. SQLite uses a partial
// index only when the query states the index's condition, which the event log's result filter does.
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventLogQuery, selectEventLog } from '../../src/store/queries/event-log.js';
import { insertEvent } from '../../src/store/queries/events.js';
import type { Db } from '../../src/store/db.js';
import { openFreshStore, type OpenedTestStore } from '../support/open-store.js';
import { STORE_KINDS, type StoreKind } from '../support/stores.js';

async function planOf(kind: StoreKind, db: Db, query: CompiledQuery): Promise<string> {
  if (kind === 'sqlite') {
    const { rows } = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]));
    return rows.map((r) => r.detail).join('\n');
  }
  // A test table is tiny, so PostgreSQL would scan it whatever the indexes: ask what it can use.
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]));
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

async function indexDefinition(kind: StoreKind, db: Db, name: string): Promise<string> {
  const { rows } =
    kind === 'sqlite'
      ? await sql<{ def: string }>`select sql as def from sqlite_master where type = 'index' and name = ${name}`.execute(db)
      : await sql<{ def: string }>`select indexdef as def from pg_indexes where schemaname = current_schema() and indexname = ${name}`.execute(db);
  return rows[0]?.def ?? '';
}

describe.each(STORE_KINDS)('partial indexes (%s)', (kind) => {
  let t: OpenedTestStore;
  beforeAll(async () => {
    t = await openFreshStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('index only the rows looked up through them', async () => {
    expect(await indexDefinition(kind, t.store.db, 'events_unprocessed')).toMatch(/where.*result.*<>.*'processed'/i);
    expect(await indexDefinition(kind, t.store.db, 'appointments_recurring_event_id')).toMatch(/where.*recurring_event_id is not null/i);
    expect(await indexDefinition(kind, t.store.db, 'events_result')).toBe('');
  });

  it('the event log filtered by a result other than processed reads the partial index, and finds the same rows', async () => {
    const plan = await planOf(kind, t.store.db, eventLogQuery(t.store.db, { result: 'parked', limit: 50 }).compile());
    expect(plan).toContain('events_unprocessed');

    const base = { received_at: '2031-03-01T10:00:00.000Z', source: 'webhook' as const, trigger: 'BOOKING_CREATED', appointment_id: null, action: null, reason: null, raw_body: '{}', headers: '{}', event_json: '{}', sent_at: null, last_duplicate_at: null, replay_of: null };
    const parked = await insertEvent(t.store.db, { ...base, dedup_key: 'pi-parked', booking_uid: 'pi-1', result: 'parked' });
    const processed = await insertEvent(t.store.db, { ...base, dedup_key: 'pi-processed', booking_uid: 'pi-1', result: 'processed' });
    const skipped = await insertEvent(t.store.db, { ...base, dedup_key: 'pi-skipped', booking_uid: null, result: 'skipped' });
    expect((await selectEventLog(t.store.db, { result: 'parked', limit: 50 })).map((r) => r.id)).toEqual([parked]);
    expect((await selectEventLog(t.store.db, { result: 'skipped', limit: 50 })).map((r) => r.id)).toEqual([skipped]);
    expect((await selectEventLog(t.store.db, { result: 'processed', limit: 50 })).map((r) => r.id)).toEqual([processed]);
  });

  it('a look-up by recurring series reads the partial index', async () => {
    const query = t.store.db.selectFrom('appointments').select('id').where('recurring_event_id', '=', 'series-1').compile();
    expect(await planOf(kind, t.store.db, query)).toContain('appointments_recurring_event_id');
  });
});
