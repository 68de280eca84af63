// Signed deliveries that were refused (bad JSON, unsupported trigger, validation errors) are kept apart
// from the event log, bounded, so operators can list them; they never touch appointments. Unsigned
// requests are never stored: anyone could send them.
import type { Logger } from 'pino';
import { insertRejectedDelivery, pruneRejectedDeliveries } from '../store/queries/events.js';
import { insertRefusedSignature, pruneRefusedSignatures } from '../store/queries/refused-deliveries.js';
import type { Store } from '../store/store.js';

export const REJECTED_DELIVERIES_KEPT = 1000;
const PRUNE_EVERY = 100;
/** Requests refused for their signature (migration 007): kept bounded, and written at most this often. */
export const REFUSED_SIGNATURES_KEPT = 1000;
const REFUSED_SIGNATURES_PER_MINUTE = 120;
const MINUTE_MS = 60_000;

/** What is kept of a request refused for its signature: never its body. */
export interface RefusedSignature {
  reason: string;
  sourceIp: string | null;
  userAgent: string | null;
  /** The request's raw body, only to read the trigger it names (bounded look; the body is not stored). */
  rawBody: Buffer;
}

const TRIGGER_LOOK_BYTES = 64 * 1024;

/** The trigger an unsigned body names, if it parses as far as that: a trigger-shaped word, nothing else. */
export function triggerNamedIn(raw: Buffer): string | null {
  const m = /"triggerEvent"\s*:\s*"([A-Z][A-Z_]{0,63})"/.exec(raw.toString('utf8', 0, Math.min(raw.length, TRIGGER_LOOK_BYTES)));
  return m ? (m[1] as string) : null;
}

export class RejectionLog {
  private sincePrune = 0;
  private refusedSincePrune = 0;
  private refusedWindowStart = 0;
  private refusedInWindow = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  record(trigger: string | null, code: string, message: string, bookingUid: string | null): void {
    const at = new Date().toISOString();
    void (async () => {
      await insertRejectedDelivery(this.store.db, { received_at: at, trigger: trigger?.slice(0, 100) ?? null, code, message: message.slice(0, 500), booking_uid: bookingUid });
      if (++this.sincePrune >= PRUNE_EVERY) {
        this.sincePrune = 0;
        await pruneRejectedDeliveries(this.store.db, REJECTED_DELIVERIES_KEPT);
      }
    })().catch((err: unknown) => this.log.warn({ err }, 'could not record a rejected delivery'));
  }

  /**
   * A request refused for its signature, for the admin page. Anyone can send these, so at most
   * REFUSED_SIGNATURES_PER_MINUTE are written a minute (the metric still counts them all).
   */
  recordRefusedSignature(refused: RefusedSignature, nowMs = Date.now()): boolean {
    if (nowMs - this.refusedWindowStart >= MINUTE_MS) {
      this.refusedWindowStart = nowMs;
      this.refusedInWindow = 0;
    }
    if (++this.refusedInWindow > REFUSED_SIGNATURES_PER_MINUTE) return false;
    const row = {
      received_at: new Date(nowMs).toISOString(),
      reason: refused.reason.slice(0, 40),
      source_ip: refused.sourceIp?.slice(0, 64) ?? null,
      trigger: triggerNamedIn(refused.rawBody),
      user_agent: refused.userAgent?.slice(0, 200) ?? null,
    };
    void (async () => {
      await insertRefusedSignature(this.store.db, row);
      if (++this.refusedSincePrune >= PRUNE_EVERY) {
        this.refusedSincePrune = 0;
        await pruneRefusedSignatures(this.store.db, REFUSED_SIGNATURES_KEPT);
      }
    })().catch((err: unknown) => this.log.warn({ err }, 'could not record a refused signature'));
    return true;
  }
}
