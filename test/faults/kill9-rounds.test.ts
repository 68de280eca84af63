// Ten rounds of kill -9 on each store, all on one store that accumulates across rounds. Each round: a burst
// of signed deliveries (new bookings, cancellations and reschedules of some, repeated deliveries; shuffled,
// concurrent) to the BUILT server as a child process, SIGKILL at a seeded moment mid-burst, then:
//   - read the store directly: every acknowledged event is in the event log exactly once, nothing twice,
//     one appointment per booking, reflecting exactly the events the log holds (earlier rounds: all of them);
//   - restart on the same store: every acknowledged delivery sent again answers 200 duplicate:true and
//     changes no appointment; the unacknowledged ones sent again answer 2xx (the store converges), and the
//     restarted server is the next round's victim.
// KILL9_SEED=n reproduces or varies the kill moments and orders.
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { spawnServer, waitHealthy, type ChildServer } from '../support/child-server.js';
import { storeConfigOf } from '../support/open-store.js';
import { freshStoreLocation, STORE_KINDS, type StoreKind, type StoreLocation } from '../support/stores.js';
import { burstAndKill, deliver, inParallel, planRound, type Booking, type LogicalEvent } from './kill9/burst.js';
import { appointmentSnapshot, problems, readStore, uidsOf } from './kill9/verify.js';
import { seededRandom } from './seeded-random.js';

const KILL9_SEED = Number(process.env.KILL9_SEED ?? 90_210);
const ROUNDS = 10;
// Ten kill-and-restart cycles of a real process: each restart is a full start-up (~1 s here, more on a loaded
// machine), so the whole run needs more than vitest's default 60 s budget for one test.
const ROUNDS_TIMEOUT_MS = 150_000;
const BOOKINGS_PER_ROUND = 30;
const DUPLICATES_PER_ROUND = 12;
const CONCURRENCY = 16;
/** The kill comes after 0 to this share of the deliveries were answered, plus 0 to KILL_DELAY_MAX_MS. */
const KILL_AFTER_MAX_SHARE = 0.7;
const KILL_DELAY_MAX_MS = 5;
const RESEND_CONCURRENCY = 8;
const SECRET = 'whsec_kill9_rounds_secret';
const API_KEY = 'csk_kill9_rounds_api_key_01';

async function withStore<T>(location: StoreLocation, read: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(storeConfigOf(location));
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

async function appointmentsViaApi(url: string, uids: readonly string[]): Promise<string[]> {
  const seen = new Map<number, string>();
  await inParallel(uids, RESEND_CONCURRENCY, async (uid) => {
    const res = await fetch(`${url}/api/appointments?calcom_uid=${encodeURIComponent(uid)}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    if (res.status !== 200) throw new Error(`GET /api/appointments?calcom_uid=${uid} answered ${res.status}`);
    const { appointments } = (await res.json()) as { appointments: { id: number; calcom_booking_uid: string; status: string; start_time: string; version: number }[] };
    for (const a of appointments) seen.set(a.id, `${a.id} ${a.calcom_booking_uid} ${a.status} ${a.start_time} v${a.version}`);
  });
  return [...seen.entries()].sort((x, y) => x[0] - y[0]).map(([, line]) => line);
}

describe.each(STORE_KINDS)('kill -9 at random moments, %s rounds', (kind: StoreKind) => {
  const children: ChildServer[] = [];
  let location: StoreLocation | null = null;

  afterAll(async () => {
    for (const c of children) await c.kill('SIGKILL');
    await location?.cleanup();
  });

  it(`${ROUNDS} rounds: acknowledged events kept exactly once, appointments consistent, re-sends change nothing`, async () => {
    const seed = KILL9_SEED + (kind === 'sqlite' ? 0 : 1);
    const random = seededRandom(seed);
    console.log(`[kill9 ${kind}] seed ${seed} (KILL9_SEED=${KILL9_SEED})`);
    location = await freshStoreLocation(kind);
    const env = { ...location.env, CAL_WEBHOOK_SECRET: SECRET, INTERNAL_API_KEY: API_KEY, LOG_LEVEL: 'warn' };
    const start = async () => {
      const child = await spawnServer(env);
      children.push(child);
      await waitHealthy(child);
      return child;
    };

    const allBookings: Booking[] = [];
    let roundsCutShort = 0;
    const label = `kill9:${kind}:${Date.now()}`;
    let server = await start();
    for (let round = 0; round < ROUNDS; round++) {
      const plan = planRound(label, round, BOOKINGS_PER_ROUND, DUPLICATES_PER_ROUND, random);
      allBookings.push(...plan.bookings);
      const moment = { afterAnswers: random.int(0, Math.floor(plan.deliveries.length * KILL_AFTER_MAX_SHARE)), delayMs: random.int(0, KILL_DELAY_MAX_MS) };
      const burst = await burstAndKill(server, plan, SECRET, CONCURRENCY, moment);
      const acknowledged = plan.events.filter((e) => e.acknowledged);
      console.log(
        `[kill9 ${kind}] round ${round + 1}: ${plan.deliveries.length} deliveries, kill after ${moment.afterAnswers} answers + ${moment.delayMs} ms: ` +
          `${burst.answered} answered (${acknowledged.length}/${plan.events.length} events acknowledged), ${burst.unanswered} cut off`,
      );
      expect(burst.unexpected, `round ${round + 1}: only 2xx answers for valid signed deliveries`).toEqual([]);
      expect(burst.exit, `round ${round + 1}: the server died of the SIGKILL`).toEqual({ code: null, signal: 'SIGKILL' });
      if (burst.unanswered > 0) roundsCutShort += 1;

      // Dead server: the store as it was left.
      const uids = uidsOf(allBookings);
      const afterKill = await withStore(location, async (store) => readStore(store.db, uids));
      expect(problems(afterKill, allBookings), `round ${round + 1}, right after the kill`).toEqual([]);

      // Restart on the same store; every acknowledged delivery again is a duplicate that changes nothing.
      server = await start();
      const before = appointmentSnapshot(afterKill);
      expect(await appointmentsViaApi(server.url, uids)).toEqual(before);
      const resends = acknowledged.flatMap((e) => e.bodies.map((raw) => ({ e, raw })));
      await inParallel(resends, RESEND_CONCURRENCY, async ({ e, raw }) => {
        const answer = await deliver(server.url, raw, SECRET);
        expect(answer, `re-send of acknowledged ${e.key}`).toMatchObject({ status: 200, body: { duplicate: true } });
      });
      expect(await appointmentsViaApi(server.url, uids), `round ${round + 1}: re-sending acknowledged events changed appointments`).toEqual(before);

      // The rest, sent again as a careful sender would, is taken (or recognised, if it was stored unanswered).
      const unacknowledged: LogicalEvent[] = plan.events.filter((e) => !e.acknowledged);
      await inParallel(unacknowledged, RESEND_CONCURRENCY, async (e) => {
        const answer = await deliver(server.url, e.bodies[0] as string, SECRET);
        expect(answer?.status, `re-send of unacknowledged ${e.key}: ${JSON.stringify(answer?.body)}`).toBe(200);
        e.acknowledged = true;
        if (typeof answer?.body.event_id === 'number') e.eventIds.add(answer.body.event_id);
      });
    }

    // The kill moments are random, but most must land mid-burst for the rounds to prove anything.
    expect(roundsCutShort).toBeGreaterThanOrEqual(ROUNDS / 2);

    // Last: a graceful stop, and everything from every round is there exactly once.
    expect(await server.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    const final = await withStore(location, async (store) => readStore(store.db, uidsOf(allBookings)));
    expect(problems(final, allBookings), 'after all rounds').toEqual([]);
    expect(allBookings.flatMap((b) => b.events).every((e) => e.acknowledged)).toBe(true);
  }, ROUNDS_TIMEOUT_MS);
});
