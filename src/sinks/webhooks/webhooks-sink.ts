// The outbound webhooks sink. Its sync is local: for the appointment at version V, every endpoint created
// before that change gets one current message (made, or replacing an undelivered older one); the delivery
// worker (delivery-worker.ts) sends them. Disabled endpoints get their messages too, so enabling one again
// delivers the current state of what it missed. A merged duplicate has nothing to retire: its last state
// was sent as it was, and the survivor's next version is sent to everyone.
import { selectWebhookEndpoints, settleWebhookTasksWithoutEndpoints } from '../../store/queries/webhook-endpoints.js';
import type { Store } from '../../store/store.js';
import type { Sink } from '../sink.js';
import { queueMessage } from './messages.js';

export const WEBHOOKS_SINK = 'webhooks';

export interface WebhooksSinkDeps {
  store: Store;
  /** Called after messages were made, so the sender looks for them at once. */
  onQueued: () => void;
  now?: () => number;
}

export function createWebhooksSink(deps: WebhooksSinkDeps): Sink {
  const now = deps.now ?? Date.now;
  return {
    name: WEBHOOKS_SINK,
    // Endpoints hear of changes made after they were created; `resend` covers the past.
    backfill: false,
    async prepare() {},
    async sync(task) {
      const appointment = task.appointment;
      if (!appointment) return { externalId: null, syncedVersion: task.syncedVersion };
      const changedAtMs = Date.parse(appointment.view.updated_at);
      const endpoints = await selectWebhookEndpoints(deps.store.db);
      // The contract: changes after the endpoint was created.
      const targets = endpoints.filter((endpoint) => endpoint.created_at_ms <= changedAtMs);
      let queued = 0;
      if (targets.length > 0) {
        await deps.store.db.transaction().execute(async (trx) => {
          for (const endpoint of targets) {
            const result = await queueMessage(trx, { endpointId: endpoint.id, view: appointment.view, resend: false, nowMs: now() });
            if (result !== 'unchanged') queued += 1;
          }
        });
      }
      if (queued > 0) deps.onQueued();
      return { externalId: null, syncedVersion: appointment.version };
    },
    async retire() {},
    // No endpoint at all: every pending change would queue nothing (the check above), so the rows are
    // settled in one statement. An endpoint created later hears of the changes made after its creation:
    // each of them marks the row pending again, and with an endpoint present nothing is settled in bulk;
    // a change settled while the endpoint was being inserted is made due again by createEndpoint.
    async settleWithoutDestinations(nowMs, at) {
      return settleWebhookTasksWithoutEndpoints(deps.store.db, WEBHOOKS_SINK, nowMs, at);
    },
    classify(err) {
      return { kind: 'transient', message: err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300) };
    },
  };
}
