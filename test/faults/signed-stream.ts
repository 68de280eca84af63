// A steady stream of signed BOOKING_CREATED deliveries (one new booking each), paced and bounded in flight,
// that remembers what every request was answered, for fault tests that break things under load.
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { postRaw, signedHeaders } from '../support/http-client.js';

/** A request that gets no answer within this is a hang, and reported as one. */
export const REQUEST_DEADLINE_MS = 30_000;
const SLOT_MS = 30 * 60_000;
const SLOT_EPOCH_MS = Date.UTC(2033, 2, 1, 8);

export interface StreamedEvent {
  n: number;
  uid: string;
  raw: string;
  /** The phase label current when the request was sent. */
  phase: string;
  status: number | null;
  code: string | null;
  body: unknown;
  /** Transport failure (no HTTP answer), e.g. the deadline. */
  failure: string | null;
  /** Time to the answer, for the report (not asserted). */
  ms: number | null;
  /** When the answer (or the failure) came, epoch ms. */
  answeredAt?: number;
}

export class SignedStream {
  readonly events: StreamedEvent[] = [];
  phase = 'start';
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly baseUrl: string,
    private readonly label: string,
    private readonly options: { intervalMs: number; maxInFlight: number },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.inFlight.size >= this.options.maxInFlight) return;
      const p = this.sendNext().finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }, this.options.intervalMs);
  }

  /** Stops sending and waits for every request in flight to be answered (or hit its deadline). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  answered(phase: string, status: number): StreamedEvent[] {
    return this.events.filter((e) => e.phase === phase && e.status === status);
  }

  static bodyFor(label: string, n: number): { uid: string; raw: string } {
    const uid = makeBookingUid(`${label}:${n}`);
    const start = SLOT_EPOCH_MS + n * SLOT_MS;
    const body = buildCalcomBody('BOOKING_CREATED', { uid, createdAt: '2033-01-01T00:00:00.000Z', startTime: new Date(start).toISOString(), endTime: new Date(start + SLOT_MS).toISOString() });
    return { uid, raw: JSON.stringify(body) };
  }

  private async sendNext(): Promise<void> {
    const n = this.events.length;
    const { uid, raw } = SignedStream.bodyFor(this.label, n);
    const event: StreamedEvent = { n, uid, raw, phase: this.phase, status: null, code: null, body: null, failure: null, ms: null };
    this.events.push(event);
    await send(this.baseUrl, event);
  }
}

/** Posts `event.raw` signed; fills in the answer. */
export async function send(baseUrl: string, event: StreamedEvent): Promise<void> {
  const started = performance.now();
  try {
    const headers = signedHeaders(event.raw);
    const reply = await Promise.race([
      postRaw(baseUrl, '/webhooks/calcom', event.raw, headers),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${REQUEST_DEADLINE_MS} ms`)), REQUEST_DEADLINE_MS).unref()),
    ]);
    event.status = reply.status;
    event.body = reply.body;
    event.code = (reply.body as { error?: { code?: string } } | null)?.error?.code ?? null;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    event.failure = (err as Error).message + (cause ? `: ${cause.code ?? ''} ${cause.message ?? ''}` : '');
  }
  event.ms = Math.round(performance.now() - started);
  event.answeredAt = Date.now();
}
