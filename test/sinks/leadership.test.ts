// Several instances on one PostgreSQL: only the leader talks to Notion (the rate limit is per integration),
// and when the leader's lock session dies another instance takes over within seconds.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { countSinkRowsByState } from '../../src/store/queries/sink-work.js';
import type { NotionSinkObserver } from '../../src/sinks/notion/observer.js';
import type { TestServer } from '../support/server.js';
import { freshStoreLocation, PG_AVAILABLE, type StoreLocation } from '../support/stores.js';
import { startNotionServer } from './support/app.js';
import { calcomBody, startNotionWorkspace, waitFor, type NotionWorkspace } from './support/notion.js';

const TUNING = { leadership: { checkIntervalMs: 250, reacquireDelayMs: 2_000 }, takeoverGraceMs: 500 };

function countingObserver(): NotionSinkObserver & { requests: number } {
  return {
    requests: 0,
    request() {
      this.requests += 1;
    },
    rateLimited() {},
    retried() {},
    synced() {},
    failed() {},
  };
}

describe.skipIf(!PG_AVAILABLE)('sink leadership on PostgreSQL', () => {
  let notion: NotionWorkspace;
  let location: StoreLocation;
  let admin: pg.Client;
  const instances: { server: TestServer; observer: ReturnType<typeof countingObserver> }[] = [];

  beforeAll(async () => {
    notion = await startNotionWorkspace();
    location = await freshStoreLocation('postgres');
    for (let i = 0; i < 2; i += 1) {
      const observer = countingObserver();
      const server = await startNotionServer({ location, env: notion.env(), extras: { observer, tuning: TUNING } });
      instances.push({ server, observer });
    }
    admin = new pg.Client({ connectionString: location.env.DATABASE_URL });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    for (const { server } of instances) await server.close();
    await location?.cleanup();
    await notion?.close();
  });

  async function sendBookings(count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      // Intake works on every instance; only the sync is the leader's.
      const { server } = instances[i % instances.length]!;
      expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid: makeBookingUid() }))).status).toBe(200);
    }
  }

  async function allSynced(expected: number): Promise<void> {
    await waitFor(`${expected} appointments synced`, async () => {
      const states = await countSinkRowsByState(instances[0]!.server.app.store.db, 'notion');
      return states.synced === expected && Object.keys(states).length === 1;
    });
  }

  /** Backends holding this schema's Notion sink lock. */
  async function lockHolders(): Promise<number[]> {
    const { rows } = await admin.query<{ pid: number }>(
      `select pid from pg_locks
        where locktype = 'advisory' and objsubid = 1 and granted
          and ((classid::bigint << 32) | objid::bigint) = hashtextextended(current_schema() || ':calsync-sink:notion', 0)`,
    );
    return rows.map((r) => r.pid);
  }

  it('two instances, one schema: exactly one drives the sink', async () => {
    await sendBookings(6);
    await allSynced(6);
    const drivers = instances.filter((i) => i.observer.requests > 0);
    expect(drivers).toHaveLength(1);
    expect(await lockHolders()).toHaveLength(1);
    expect(notion.sessions()).toHaveLength(6);
  });

  it("killing the leader's lock connection hands the sink to the other instance", async () => {
    const leader = instances.find((i) => i.observer.requests > 0)!;
    const follower = instances.find((i) => i !== leader)!;
    const [pid] = await lockHolders();
    await admin.query('select pg_terminate_backend($1)', [pid]);

    await waitFor('another session to hold the lock', async () => {
      const holders = await lockHolders();
      return holders.length === 1 && holders[0] !== pid;
    }, { timeoutMs: 10_000 });
    const leaderRequestsAtTakeover = leader.observer.requests;
    const followerBefore = follower.observer.requests;

    await sendBookings(6);
    await allSynced(12);
    expect(follower.observer.requests).toBeGreaterThan(followerBefore);
    expect(leader.observer.requests).toBe(leaderRequestsAtTakeover);
    expect(notion.sessions()).toHaveLength(12);
  });
});
