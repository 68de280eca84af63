// The loop that never dies, shared by the sink worker and the webhook delivery worker: an explicit state,
// passes one after another with a pause between them that wakeUp() cuts short, a failed pass logged and
// followed by a doubling wait instead of thrown out, and stop() that waits for the worker's wind-down.

export type LoopState = 'idle' | 'running' | 'stopping' | 'stopped';

/** What a worker does in the loop; the loop calls these, never concurrently with each other. */
export interface LoopBody {
  /** One look for work; resolves with how long to wait before the next. */
  pass(): Promise<number>;
  /** Reports a pass that threw; the next one comes after `retryInMs`. */
  passFailed(err: unknown, retryInMs: number): void;
  /** After the last pass (stop() was called): finish or cut short the work in flight and let go of resources. */
  windDown(): Promise<void>;
  /** Called once the state is 'stopped'. */
  stopped?(): void;
}

export interface ErrorBackoff {
  /** Wait after a failed pass; doubles with each failed pass in a row, up to maxErrorDelayMs. */
  errorDelayMs: number;
  maxErrorDelayMs: number;
}

/** The wait after the `failedPasses`-th failed pass in a row. */
export function errorDelayMs(failedPasses: number, backoff: ErrorBackoff): number {
  return Math.min(backoff.maxErrorDelayMs, backoff.errorDelayMs * 2 ** Math.min(failedPasses - 1, 20));
}

export class WorkerLoop {
  private currentState: LoopState = 'idle';
  private done: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** A wake-up that came while no pause was in progress: the next pause is skipped. */
  private woken = false;

  /** `backoff` is read at each failure, so it may be the worker's (live) tuning object. */
  constructor(
    private readonly body: LoopBody,
    private readonly backoff: ErrorBackoff,
  ) {}

  get state(): LoopState {
    return this.currentState;
  }

  /** Whether passes should go on (false once stop() was called). */
  get running(): boolean {
    return this.currentState === 'running';
  }

  start(): void {
    if (this.currentState !== 'idle') return;
    this.currentState = 'running';
    this.done = this.run();
  }

  async stop(): Promise<void> {
    if (this.currentState === 'idle') {
      this.currentState = 'stopped';
      return;
    }
    if (this.currentState === 'running') this.currentState = 'stopping';
    this.wakeUp();
    await this.done;
  }

  /** Ends the current pause now, or skips the next one. */
  wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    if (wake) wake();
    else this.woken = true;
  }

  private async run(): Promise<void> {
    let failedPasses = 0;
    while (this.currentState === 'running') {
      let delayMs: number;
      try {
        delayMs = await this.body.pass();
        failedPasses = 0;
      } catch (err) {
        failedPasses += 1;
        delayMs = errorDelayMs(failedPasses, this.backoff);
        this.body.passFailed(err, delayMs);
      }
      if (this.currentState !== 'running') break;
      await this.pause(delayMs);
    }
    await this.body.windDown();
    this.currentState = 'stopped';
    this.body.stopped?.();
  }

  /** Sleeps up to `ms`, waking early on wakeUp() or stop(). */
  private pause(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
