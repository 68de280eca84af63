// The store's locks (src/store/locks.ts), which stand in for every "which database is it" branch: on
// PostgreSQL they exclude other instances (two stores on one schema stand for two instances); on the
// single-writer embedded store they cost nothing and never block.
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { insertPendingAppointment } from '../../src/store/queries/calsync-bookings.js';
import { openStore, type Store } from '../../src/store/store.js';
import { freshStoreLocation, PG_AVAILABLE, type StoreLocation } from '../support/stores.js';

const WAIT_BOUND_MS = 10_000;

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${WAIT_BOUND_MS} ms`)), WAIT_BOUND_MS)));
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

describe.skipIf(!PG_AVAILABLE)('store locks on PostgreSQL (two stores on one schema)', () => {
  let location: StoreLocation | null = null;
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await location?.cleanup();
    location = null;
  });

  async function twoInstances(): Promise<[Store, Store]> {
    location = await freshStoreLocation('postgres');
    const url = location.env.DATABASE_URL as string;
    const a = await openStore({ kind: 'postgres', url });
    stores.push(a);
    const b = await openStore({ kind: 'postgres', url });
    stores.push(b);
    return [a, b];
  }

  it('exclusive: while one instance runs the work, another is turned away at once; afterwards it runs', async () => {
    const [a, b] = await twoInstances();
    const release = gate();
    const started = gate();
    const first = a.locks.exclusive('calsync:test-exclusive', async () => {
      started.open();
      await release.opened;
      return 'first';
    });
    await within(started.opened, 'the first work starting');
    let ranSecond = false;
    expect(await within(b.locks.exclusive('calsync:test-exclusive', async () => (ranSecond = true)), 'the second instance')).toEqual({ ran: false });
    expect(ranSecond).toBe(false);
    // Another name is another lock.
    expect(await within(b.locks.exclusive('calsync:test-other', async () => 'other'), 'another lock')).toEqual({ ran: true, value: 'other' });
    release.open();
    expect(await within(first, 'the first work')).toEqual({ ran: true, value: 'first' });
    expect(await within(b.locks.exclusive('calsync:test-exclusive', async () => 'second'), 'the second instance, later')).toEqual({ ran: true, value: 'second' });
  });

  it('advisory: a transaction waits for another holding the same lock until it ends; shared holders do not wait on each other', async () => {
    const [a, b] = await twoInstances();
    const events: string[] = [];
    const commitA = gate();
    const heldByA = gate();
    const txA = a.db.transaction().execute(async (trx) => {
      await a.locks.advisory(trx, () => [{ name: 'calsync:test:x' }]);
      heldByA.open();
      await commitA.opened;
      events.push('A commits');
    });
    await within(heldByA.opened, 'A taking the lock');
    const txB = b.db.transaction().execute(async (trx) => {
      await b.locks.advisory(trx, () => [{ name: 'calsync:test:x' }]);
      events.push('B holds the lock');
    });
    // B is waiting: give it a moment to (wrongly) get through, then let A finish.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toEqual([]);
    commitA.open();
    await within(Promise.all([txA, txB]), 'both transactions');
    expect(events).toEqual(['A commits', 'B holds the lock']);

    // Two shared holders of one lock proceed together.
    const bothHold = gate();
    let holders = 0;
    const sharedTx = (store: Store) =>
      store.db.transaction().execute(async (trx) => {
        await store.locks.advisory(trx, () => [{ name: 'calsync:test:shared', shared: true }]);
        if (++holders === 2) bothHold.open();
        await bothHold.opened;
      });
    await within(Promise.all([sharedTx(a), sharedTx(b)]), 'two shared holders');
    expect(holders).toBe(2);
  });

  it('appointments: a row lock makes another transaction wait for it', async () => {
    const [a, b] = await twoInstances();
    const id = await insertPendingAppointment(
      a.db,
      { eventTypeId: 1, startTime: '2031-01-01T10:00:00.000Z', attendees: [{ name: 'A', email: 'a@x.test', timeZone: null }], phone: null, notes: null, location: null, metadata: {} },
      '2026-01-01T00:00:00.000Z',
    );
    const events: string[] = [];
    const commitA = gate();
    const heldByA = gate();
    const txA = a.db.transaction().execute(async (trx) => {
      await a.locks.appointments(trx, [id]);
      heldByA.open();
      await commitA.opened;
      events.push('A commits');
    });
    await within(heldByA.opened, 'A taking the row lock');
    const txB = b.db.transaction().execute(async (trx) => {
      await b.locks.appointments(trx, [id]);
      events.push('B holds the row');
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(events).toEqual([]);
    commitA.open();
    await within(Promise.all([txA, txB]), 'both transactions');
    expect(events).toEqual(['A commits', 'B holds the row']);
  });
});

describe('store locks on the embedded store (one writer)', () => {
  let location: StoreLocation | null = null;
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    await location?.cleanup();
    store = null;
    location = null;
  });

  it('cost nothing: no lock plan is computed, exclusive work always runs, leadership is always this instance', async () => {
    location = await freshStoreLocation('sqlite');
    store = await openStore({ kind: 'sqlite', dataDir: location.dataDir });
    expect(store.isTransientConflict(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(false);
    expect(store.dataDir).toBe(location.dataDir);
    let planned = false;
    await store.db.transaction().execute(async (trx) => {
      await store!.locks.advisory(trx, () => {
        planned = true;
        return [{ name: 'calsync:test:x' }];
      });
      await store!.locks.appointments(trx, [1, 2, 3]);
    });
    expect(planned).toBe(false);
    expect(await store.locks.exclusive('calsync:test-exclusive', async () => 7)).toEqual({ ran: true, value: 7 });
    const leadership = store.leadership('calsync-sink:test', pino({ level: 'silent' }), { checkIntervalMs: 1_000, reacquireDelayMs: 1_000 });
    expect(await leadership.check()).toBe(true);
    expect(leadership.isLeader()).toBe(true);
  });
});
