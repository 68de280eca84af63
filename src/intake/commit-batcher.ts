// Group commit: events that arrive while a commit is being made wait and then share the next one, so the
// cost of a durable (fsync'd) commit is paid once per batch, not once per request. Each item still gets
// its own result; one failing item does not fail the others (the runner isolates them).
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class CommitBatcher<I, O> {
  private readonly queue: Waiting<I, O>[] = [];
  private running = false;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  private readonly maxBatchSize: number;
  private readonly maxQueued: number;
  private readonly overflow: () => unknown;

  constructor(
    private readonly runBatch: (items: I[]) => Promise<Settled<O>[]>,
    options: {
      maxBatchSize?: number;
      /** Items waiting for a batch at most; beyond it `submit` rejects at once with `overflow()`. */
      maxQueued?: number;
      overflow?: () => unknown;
    } = {},
  ) {
    this.maxBatchSize = options.maxBatchSize ?? 256;
    this.maxQueued = options.maxQueued ?? 4096;
    this.overflow = options.overflow ?? (() => new Error('too many items are waiting for a commit'));
  }

  submit(item: I): Promise<O> {
    // A store that cannot keep up must not let waiting requests (and their bodies) pile up without end.
    if (this.queue.length >= this.maxQueued) return Promise.reject(this.overflow());
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running && !this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after pending I/O callbacks, so requests already on the wire join this batch.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatchSize);
        try {
          const results = await this.runBatch(batch.map((w) => w.item));
          batch.forEach((w, i) => {
            const r = results[i];
            if (!r) w.reject(new Error('batch runner returned no result for an item'));
            else if (r.ok) w.resolve(r.value);
            else w.reject(r.error);
          });
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
