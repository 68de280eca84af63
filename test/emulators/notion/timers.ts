// Latency is real timers; this keeps track of them so close() can cancel every pending one and
// a test run exits without a dangling handle.

export class EmulatorClosedError extends Error {
  constructor() {
    super('Notion emulator closed');
    this.name = 'EmulatorClosedError';
  }
}

export class Timers {
  private readonly pending = new Map<NodeJS.Timeout, (err: Error) => void>();
  private closed = false;

  sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.reject(new EmulatorClosedError());
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, reject);
    });
  }

  cancelAll(): void {
    this.closed = true;
    for (const [timer, reject] of this.pending) {
      clearTimeout(timer);
      reject(new EmulatorClosedError());
    }
    this.pending.clear();
  }
}
