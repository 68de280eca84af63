// The sink's request budget: token bucket, sink-wide pause (persisted for the next leader), and closing.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { notionPauseStore } from '../../src/sinks/notion/pause-store.js';
import { LimiterClosedError, RateLimiter } from '../../src/sinks/rate-limiter.js';
import { selectNotionPause } from '../../src/store/queries/notion.js';
import { selectSetting, upsertSetting } from '../../src/store/queries/settings.js';
import { openStore, type Store } from '../../src/store/store.js';
import { freshStoreLocation, STORE_KINDS, type StoreLocation } from '../support/stores.js';

/** Whether the promise has settled after the microtask queue drains. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('RateLimiter', () => {
  beforeAll(() => {
    vi.useFakeTimers({ now: Date.UTC(2031, 0, 1) });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it('lets `burst` requests go at once, then one per interval', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 2 });
    expect(await settled(limiter.acquire())).toBe(true);
    expect(await settled(limiter.acquire())).toBe(true);
    const third = limiter.acquire();
    expect(await settled(third)).toBe(false);
    await vi.advanceTimersByTimeAsync(499);
    expect(await settled(third)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(third)).toBe(true);
    const fourth = limiter.acquire();
    await vi.advanceTimersByTimeAsync(499);
    expect(await settled(fourth)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(fourth)).toBe(true);
  });

  it('a pause holds every request of the sink until it ends, then resumes at the rate, not as a burst', async () => {
    const saved: number[] = [];
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 5, pauseStore: { load: async () => 0, save: async (until) => void saved.push(until) } });
    const until = Date.now() + 3_000;
    await limiter.pauseUntil(until);
    expect(saved).toEqual([until]);
    const waiting = [limiter.acquire(), limiter.acquire(), limiter.acquire()];
    await vi.advanceTimersByTimeAsync(2_999);
    expect(await Promise.all(waiting.map(settled))).toEqual([false, false, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect((await Promise.all(waiting.map(settled))).filter(Boolean)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect((await Promise.all(waiting.map(settled))).filter(Boolean)).toHaveLength(2);
    // A shorter pause never shortens a longer one.
    await limiter.pauseUntil(Date.now() + 5_000);
    await limiter.pauseUntil(Date.now() + 1_000);
    expect(saved).toHaveLength(2);
    expect(limiter.pausedUntil).toBe(saved[1]);
  });

  it('close() refuses waiting and later requests', async () => {
    const limiter = new RateLimiter({ ratePerSecond: 1 });
    await limiter.acquire();
    const waiting = limiter.acquire();
    const outcome = waiting.then(
      () => 'sent',
      (err: unknown) => err,
    );
    limiter.close();
    expect(await outcome).toBeInstanceOf(LimiterClosedError);
    await expect(limiter.acquire()).rejects.toBeInstanceOf(LimiterClosedError);
  });
});

describe.each(STORE_KINDS)('a persisted pause (%s)', (kind) => {
  let location: StoreLocation;
  let store: Store;

  beforeAll(async () => {
    location = await freshStoreLocation(kind);
    store = await openStore(location.env.DATABASE_URL ? { kind: 'postgres', url: location.env.DATABASE_URL } : { kind: 'sqlite', dataDir: location.dataDir });
  });
  afterAll(async () => {
    await store?.close();
    await location?.cleanup();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is honoured by the next leader, which reads it from the store', async () => {
    const key = 'test.paused_until_ms';
    const pauseStore = {
      load: async () => Number((await selectSetting(store.db, key)) ?? 0),
      save: async (until: number) => upsertSetting(store.db, key, String(until), new Date().toISOString()),
    };
    const until = Date.now() + 60_000;
    await new RateLimiter({ ratePerSecond: 3, pauseStore }).pauseUntil(until);
    expect(await selectSetting(store.db, key)).toBe(String(until));

    const next = new RateLimiter({ ratePerSecond: 3, pauseStore });
    await next.loadPersistedPause();
    expect(next.pausedUntil).toBe(until);
    vi.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const first = next.acquire();
    await vi.advanceTimersByTimeAsync(until - Date.now() - 5);
    expect(await settledReal(first)).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    expect(await settledReal(first)).toBe(true);
  });

  it("keeps Notion's cause beside the pause, which holds before it is persisted; a longer pause is not overwritten", async () => {
    const pauseStore = notionPauseStore(store.db);
    const limiter = new RateLimiter({ ratePerSecond: 3, pauseStore });
    const until = Date.now() + 30_000;
    const cause = { status: 429, code: 'rate_limited', reason: 'workspace_rate_limit', message: 'Notion rate limit hit', at: new Date().toISOString() };
    await limiter.pauseUntil(until, { persist: false });
    expect(limiter.pausedUntil).toBe(until);
    expect(await selectNotionPause(store.db)).toBeNull();
    await limiter.persistPause(until, cause);
    expect(await selectNotionPause(store.db)).toEqual({ untilMs: until, cause });

    // A longer pause (say the workspace limit) arrives while the shorter one's cause is still being read.
    const longer = until + 60_000;
    const longerCause = { ...cause, message: 'longer' };
    await limiter.pauseUntil(longer, { persist: true, cause: longerCause });
    await limiter.persistPause(until, cause);
    expect(await selectNotionPause(store.db)).toEqual({ untilMs: longer, cause: longerCause });
    const next = new RateLimiter({ ratePerSecond: 3, pauseStore });
    await next.loadPersistedPause();
    expect(next.pausedUntil).toBe(longer);
  });
});

async function settledReal(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}
