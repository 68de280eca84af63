// Signed deliveries that were refused (bad JSON, unsupported trigger, validation errors) are kept apart
// from the event log, bounded, so operators can list them; they never touch appointments. Unsigned
// requests are never stored: anyone could send them.
import type { Logger } from 'pino';
import { insertRejectedDelivery, pruneRejectedDeliveries } from '../store/queries/events.js';
import type { Store } from '../store/store.js';

export const REJECTED_DELIVERIES_KEPT = 1000;
const PRUNE_EVERY = 100;

export class RejectionLog {
  private sincePrune = 0;

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
}
