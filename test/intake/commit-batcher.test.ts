// The group-commit queue is bounded: while a batch is being written, at most `maxQueued` items wait for the
// next one; another is refused at once (the intake answers 503 store_unavailable), and once the store
// catches up, items are taken again. Every waiting item still gets its own result.
import { describe, expect, it } from 'vitest';
import { CommitBatcher, type Settled } from '../../src/intake/commit-batcher.js';

describe('CommitBatcher', () => {
  it('refuses an item beyond maxQueued at once, and takes items again once the queue drains', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batches: number[][] = [];
    const batcher = new CommitBatcher<number, number>(
      async (items) => {
        batches.push(items);
        await gate;
        return items.map((i): Settled<number> => ({ ok: true, value: i * 10 }));
      },
      { maxBatchSize: 2, maxQueued: 3, overflow: () => new Error('queue full') },
    );
    const first = batcher.submit(1);
    // Let the first batch start (it waits on the gate), so what follows queues behind it.
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1]]);
    const queued = [batcher.submit(2), batcher.submit(3), batcher.submit(4)];
    await expect(batcher.submit(5)).rejects.toThrow('queue full');
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(queued)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
    expect(await batcher.submit(6)).toBe(60);
    await batcher.idle();
  });
});
