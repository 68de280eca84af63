// Sink bookkeeping on both stores: marking an appointment dirty must not disturb a sink that is backing
// off, and a merge hands the survivor the other record's external object.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkStateRow } from '../../../src/store/schema.js';
import { adoptSinkStates, markSinksDirty, selectSinkStates } from '../../../src/store/queries/sinks.js';
import { claimSinkRow, completeSinkSync, saveSinkExternalId } from '../../../src/store/queries/sink-work.js';
import type { Db } from '../../../src/store/store.js';
import { openFreshStore, type OpenedTestStore } from '../../support/open-store.js';
import { STORE_KINDS } from '../../support/stores.js';

// Beyond 32 bits on purpose: epoch milliseconds must survive both dialects as numbers.
const T0 = Date.UTC(2031, 2, 1, 10, 0, 0);
const LATER = T0 + 60_000;
const AT = '2031-03-01T10:00:00.000Z';

/** Puts a sink row into a given state, as a worker would have left it. */
async function setRow(db: Db, sink: string, appointmentId: number, fields: Partial<SinkStateRow>): Promise<void> {
  await db.updateTable('sink_state').set(fields).where('sink', '=', sink).where('appointment_id', '=', appointmentId).execute();
}

async function rowOf(db: Db, sink: string, appointmentId: number): Promise<SinkStateRow | undefined> {
  return (await selectSinkStates(db, [appointmentId])).find((r) => r.sink === sink);
}

describe.each(STORE_KINDS)('sink state queries (%s)', (kind) => {
  let t: OpenedTestStore;
  let nextId = 1000;
  beforeAll(async () => {
    t = await openFreshStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('a first change makes one pending row per sink, due now', async () => {
    const id = nextId++;
    await markSinksDirty(t.store.db, id, ['notion', 'other'], T0, AT);
    const rows = await selectSinkStates(t.store.db, [id]);
    expect(rows.map((r) => r.sink).sort()).toEqual(['notion', 'other']);
    for (const r of rows) expect(r).toMatchObject({ state: 'pending', synced_version: 0, attempts: 0, next_attempt_at: T0, external_id: null, last_error: null });
    expect(typeof rows[0]?.next_attempt_at).toBe('number');
  });

  it('no sinks, no rows', async () => {
    const id = nextId++;
    await markSinksDirty(t.store.db, id, [], T0, AT);
    expect(await selectSinkStates(t.store.db, [id])).toEqual([]);
    expect(await selectSinkStates(t.store.db, [])).toEqual([]);
  });

  it('a sink backing off keeps its schedule and attempt count', async () => {
    const id = nextId++;
    await markSinksDirty(t.store.db, id, ['notion'], T0, AT);
    const backoffUntil = T0 + 3_600_000;
    await setRow(t.store.db, 'notion', id, { state: 'retrying', attempts: 4, next_attempt_at: backoffUntil, last_error: 'HTTP 503', external_id: 'page-1', synced_version: 2 });
    await markSinksDirty(t.store.db, id, ['notion'], LATER, '2031-03-01T10:01:00.000Z');
    expect(await rowOf(t.store.db, 'notion', id)).toMatchObject({ state: 'retrying', attempts: 4, next_attempt_at: backoffUntil, external_id: 'page-1', synced_version: 2, updated_at: '2031-03-01T10:01:00.000Z' });
  });

  it.each(['synced', 'failed', 'pending'])('a %s sink becomes pending again, due now, its page and synced version kept', async (state) => {
    const id = nextId++;
    await markSinksDirty(t.store.db, id, ['notion'], T0, AT);
    await setRow(t.store.db, 'notion', id, { state, attempts: 3, next_attempt_at: T0 + 999_999, external_id: 'page-2', synced_version: 5 });
    await markSinksDirty(t.store.db, id, ['notion'], LATER, AT);
    expect(await rowOf(t.store.db, 'notion', id)).toMatchObject({ state: 'pending', attempts: 0, next_attempt_at: LATER, external_id: 'page-2', synced_version: 5 });
  });

  it('a merge: the survivor without a page adopts the absorbed record\'s page, to be synced again', async () => {
    const [keep, gone] = [nextId++, nextId++];
    await markSinksDirty(t.store.db, keep, ['notion'], T0, AT);
    await markSinksDirty(t.store.db, gone, ['notion'], T0, AT);
    await setRow(t.store.db, 'notion', gone, { state: 'synced', external_id: 'page-gone', synced_version: 3 });
    await adoptSinkStates(t.store.db, gone, keep, LATER, AT);
    expect(await selectSinkStates(t.store.db, [gone])).toEqual([]);
    expect(await rowOf(t.store.db, 'notion', keep)).toMatchObject({ external_id: 'page-gone', state: 'pending', synced_version: 0, next_attempt_at: LATER });
  });

  it('a merge: when both have a page, the absorbed one is marked orphaned for the sink to retire', async () => {
    const [keep, gone] = [nextId++, nextId++];
    await markSinksDirty(t.store.db, keep, ['notion'], T0, AT);
    await markSinksDirty(t.store.db, gone, ['notion'], T0, AT);
    await setRow(t.store.db, 'notion', keep, { state: 'synced', external_id: 'page-keep', synced_version: 1 });
    await setRow(t.store.db, 'notion', gone, { state: 'synced', external_id: 'page-dup', synced_version: 1 });
    await adoptSinkStates(t.store.db, gone, keep, LATER, AT);
    expect(await rowOf(t.store.db, 'notion', keep)).toMatchObject({ external_id: 'page-keep', state: 'synced' });
    expect(await rowOf(t.store.db, 'notion', gone)).toMatchObject({ external_id: 'page-dup', state: 'orphaned', next_attempt_at: LATER });
  });

  it('a merge: an absorbed record that never reached the sink just disappears', async () => {
    const [keep, gone] = [nextId++, nextId++];
    await markSinksDirty(t.store.db, keep, ['notion'], T0, AT);
    await markSinksDirty(t.store.db, gone, ['notion'], T0, AT);
    await adoptSinkStates(t.store.db, gone, keep, LATER, AT);
    expect(await selectSinkStates(t.store.db, [gone])).toEqual([]);
    expect(await rowOf(t.store.db, 'notion', keep)).toMatchObject({ state: 'pending', external_id: null });
  });

  it.each(['notion', 'webhooks'])(
    'a merge carries a %s sync in flight: the absorbed row stays orphaned, and what the sync makes is retired',
    async (sink) => {
      const [keep, gone] = [nextId++, nextId++];
      await markSinksDirty(t.store.db, keep, [sink], T0, AT);
      await markSinksDirty(t.store.db, gone, [sink], T0, AT);
      const lease = T0 + 300_000;
      expect(await claimSinkRow(t.store.db, sink, gone, T0, lease, AT)).toBe(true);
      await adoptSinkStates(t.store.db, gone, keep, LATER, AT);
      // Kept, not due before the claim ends: the sync in flight still owns it.
      expect(await rowOf(t.store.db, sink, gone)).toMatchObject({ state: 'orphaned', external_id: null, next_attempt_at: lease });
      // The in-flight create answers: its object is recorded, and the row stays a duplicate to retire, due now.
      await saveSinkExternalId(t.store.db, sink, gone, 'object-of-gone', AT);
      const outcome = await completeSinkSync(t.store.db, t.store.locks, sink, gone, { externalId: 'object-of-gone', syncedVersion: 1 }, LATER, AT);
      expect(outcome).toBe('orphaned');
      expect(await rowOf(t.store.db, sink, gone)).toMatchObject({ state: 'orphaned', external_id: 'object-of-gone', next_attempt_at: LATER });
      expect(await rowOf(t.store.db, sink, keep)).toMatchObject({ state: 'pending', external_id: null });
    },
  );

  it('a merge while the survivor\'s own create is in flight: the survivor keeps its row, the absorbed page is the duplicate', async () => {
    const [keep, gone] = [nextId++, nextId++];
    await markSinksDirty(t.store.db, keep, ['notion'], T0, AT);
    await markSinksDirty(t.store.db, gone, ['notion'], T0, AT);
    await setRow(t.store.db, 'notion', gone, { state: 'synced', external_id: 'page-gone', synced_version: 1, next_attempt_at: 0 });
    expect(await claimSinkRow(t.store.db, 'notion', keep, T0, T0 + 300_000, AT)).toBe(true);
    await adoptSinkStates(t.store.db, gone, keep, LATER, AT);
    expect(await rowOf(t.store.db, 'notion', keep)).toMatchObject({ state: 'syncing', external_id: null });
    expect(await rowOf(t.store.db, 'notion', gone)).toMatchObject({ state: 'orphaned', external_id: 'page-gone', next_attempt_at: LATER });
    // The survivor's create lands and is recorded on its own row.
    await completeSinkSync(t.store.db, t.store.locks, 'notion', keep, { externalId: 'page-keep', syncedVersion: 1 }, LATER, AT);
    expect(await rowOf(t.store.db, 'notion', keep)).toMatchObject({ state: 'synced', external_id: 'page-keep' });
  });

  it('a merge while the absorbed record\'s update is in flight and both have objects: the finished sync leaves it orphaned', async () => {
    const [keep, gone] = [nextId++, nextId++];
    await markSinksDirty(t.store.db, keep, ['notion'], T0, AT);
    await markSinksDirty(t.store.db, gone, ['notion'], T0, AT);
    await setRow(t.store.db, 'notion', keep, { state: 'synced', external_id: 'page-keep', synced_version: 1, next_attempt_at: 0 });
    await setRow(t.store.db, 'notion', gone, { external_id: 'page-gone' });
    expect(await claimSinkRow(t.store.db, 'notion', gone, T0, T0 + 300_000, AT)).toBe(true);
    await adoptSinkStates(t.store.db, gone, keep, LATER, AT);
    await completeSinkSync(t.store.db, t.store.locks, 'notion', gone, { externalId: 'page-gone', syncedVersion: 2 }, LATER, AT);
    expect(await rowOf(t.store.db, 'notion', gone)).toMatchObject({ state: 'orphaned', external_id: 'page-gone' });
  });
});
