// The event log's query functions on both stores: dedup on insert, duplicate counting, outcomes, the
// parked and processed views intake folds from, and the bounded table of refused deliveries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEventRow } from '../../../src/store/schema.js';
import {
  countDuplicateDelivery,
  insertEvent,
  insertRejectedDelivery,
  moveEventsToAppointment,
  pruneRejectedDeliveries,
  selectEventByDedupKey,
  selectEventById,
  selectDeliveryAndUidOwners,
  selectProcessedEventsOf,
  updateEventOutcome,
} from '../../../src/store/queries/events.js';
import { openFreshStore, type OpenedTestStore } from '../../support/open-store.js';
import { STORE_KINDS } from '../../support/stores.js';

let seq = 0;
function row(overrides: Partial<NewEventRow> = {}): NewEventRow {
  seq += 1;
  return {
    received_at: `2031-03-01T10:00:${String(seq % 60).padStart(2, '0')}.000Z`,
    source: 'webhook',
    trigger: 'BOOKING_CREATED',
    dedup_key: `key-${seq}-${Math.random()}`,
    booking_uid: `uid-${seq}`,
    appointment_id: null,
    result: 'processed',
    action: 'created',
    reason: null,
    raw_body: '{"triggerEvent":"BOOKING_CREATED"}',
    headers: '{"content-type":"application/json"}',
    event_json: '{"kind":"created"}',
    sent_at: '2031-03-01T09:59:00.000Z',
    last_duplicate_at: null,
    replay_of: null,
    ...overrides,
  };
}

describe.each(STORE_KINDS)('event log queries (%s)', (kind) => {
  let t: OpenedTestStore;
  beforeAll(async () => {
    t = await openFreshStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('insertEvent stores a row once per dedup key; the second insert returns null and changes nothing', async () => {
    const first = row({ dedup_key: 'same-key' });
    const id = await insertEvent(t.store.db, first);
    expect(id).toEqual(expect.any(Number));
    const again = await insertEvent(t.store.db, { ...first, raw_body: 'a different body', result: 'parked' });
    expect(again).toBeNull();
    const stored = await selectEventByDedupKey(t.store.db, 'same-key');
    expect(stored).toMatchObject({ id, raw_body: first.raw_body, result: 'processed', duplicate_count: 0, booking_uid: first.booking_uid });
    expect(await selectEventById(t.store.db, id as number)).toEqual(stored);
  });

  it('an unknown dedup key or id finds nothing', async () => {
    expect(await selectEventByDedupKey(t.store.db, 'never-seen')).toBeUndefined();
    expect(await selectEventById(t.store.db, 987654)).toBeUndefined();
  });

  it('countDuplicateDelivery counts every repeat and remembers the last', async () => {
    const r = row();
    const id = (await insertEvent(t.store.db, r)) as number;
    await countDuplicateDelivery(t.store.db, id, '2031-03-02T00:00:00.000Z');
    await countDuplicateDelivery(t.store.db, id, '2031-03-03T00:00:00.000Z');
    expect(await selectEventById(t.store.db, id)).toMatchObject({ duplicate_count: 2, last_duplicate_at: '2031-03-03T00:00:00.000Z' });
  });

  it('updateEventOutcome rewrites the outcome and keeps event_json unless given', async () => {
    const id = (await insertEvent(t.store.db, row({ result: 'parked', action: null, reason: 'booking not yet known' }))) as number;
    await updateEventOutcome(t.store.db, id, { result: 'processed', appointment_id: 7, action: 'no_show', reason: null });
    expect(await selectEventById(t.store.db, id)).toMatchObject({ result: 'processed', appointment_id: 7, action: 'no_show', reason: null, event_json: '{"kind":"created"}' });
    await updateEventOutcome(t.store.db, id, { result: 'processed', appointment_id: 7, action: 'no_show', reason: null, event_json: '{"kind":"no_show_updated"}', booking_uid: 'uid-x' });
    expect(await selectEventById(t.store.db, id)).toMatchObject({ event_json: '{"kind":"no_show_updated"}', booking_uid: 'uid-x' });
  });

  it('selectProcessedEventsOf lists one appointment\'s folded events in log order, nothing else', async () => {
    const a = (await insertEvent(t.store.db, row({ appointment_id: 101 }))) as number;
    await insertEvent(t.store.db, row({ appointment_id: 101, result: 'skipped', event_json: null }));
    await insertEvent(t.store.db, row({ appointment_id: 102 }));
    await insertEvent(t.store.db, row({ appointment_id: 101, event_json: null }));
    const b = (await insertEvent(t.store.db, row({ appointment_id: 101 }))) as number;
    expect((await selectProcessedEventsOf(t.store.db, 101)).map((r) => r.id)).toEqual([a, b]);
  });

  it("the intake's first look-up finds parked events of any of the uids, and only parked ones", async () => {
    const p1 = (await insertEvent(t.store.db, row({ booking_uid: 'park-a', result: 'parked' }))) as number;
    await insertEvent(t.store.db, row({ booking_uid: 'park-a', result: 'processed' }));
    const p2 = (await insertEvent(t.store.db, row({ booking_uid: 'park-b', result: 'parked' }))) as number;
    await insertEvent(t.store.db, row({ booking_uid: 'park-c', result: 'parked' }));
    expect((await selectDeliveryAndUidOwners(t.store.db, 'no-such-key', ['park-a', 'park-b'])).parked.map((r) => r.id)).toEqual([p1, p2]);
    expect((await selectDeliveryAndUidOwners(t.store.db, 'no-such-key', [])).parked).toEqual([]);
  });

  it('moveEventsToAppointment re-points every event of a merged record', async () => {
    const ids = [(await insertEvent(t.store.db, row({ appointment_id: 201 }))) as number, (await insertEvent(t.store.db, row({ appointment_id: 201 }))) as number];
    await moveEventsToAppointment(t.store.db, 201, 202);
    expect(await selectProcessedEventsOf(t.store.db, 201)).toEqual([]);
    expect((await selectProcessedEventsOf(t.store.db, 202)).map((r) => r.id)).toEqual(ids);
  });

  it('pruneRejectedDeliveries keeps the newest rows only', async () => {
    for (let i = 0; i < 7; i++) {
      await insertRejectedDelivery(t.store.db, { received_at: `2031-03-01T10:00:0${i}.000Z`, trigger: 'BOOKING_CREATED', code: 'invalid_json', message: `n${i}`, booking_uid: null });
    }
    await pruneRejectedDeliveries(t.store.db, 3);
    const left = await t.store.db.selectFrom('rejected_deliveries').select('message').orderBy('id').execute();
    expect(left.map((r) => r.message)).toEqual(['n4', 'n5', 'n6']);
    await pruneRejectedDeliveries(t.store.db, 10);
    expect(await t.store.db.selectFrom('rejected_deliveries').select('id').execute()).toHaveLength(3);
  });
});

// Only PostgreSQL has concurrent writers; SQLite's single connection serialises every transaction.
describe.each(STORE_KINDS.filter((k) => k === 'postgres'))('event log queries under concurrency (%s)', (kind) => {
  let t: OpenedTestStore;
  beforeAll(async () => {
    t = await openFreshStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('two transactions inserting one dedup key at once: one row, the other gets null', async () => {
    const r = row({ dedup_key: 'raced-key' });
    const first = await t.store.db.startTransaction().execute();
    const second = await t.store.db.startTransaction().execute();
    try {
      const firstId = await insertEvent(first, r);
      // The second insert waits on the first transaction's uncommitted key, then sees it.
      const secondInsert = insertEvent(second, { ...r, raw_body: 'second' });
      await first.commit().execute();
      expect(await secondInsert).toBeNull();
      await second.commit().execute();
      expect((await selectEventByDedupKey(t.store.db, 'raced-key'))?.id).toBe(firstId);
    } finally {
      await first.rollback().execute().catch(() => {});
      await second.rollback().execute().catch(() => {});
    }
  });
});
