// What the endpoint routes and the CLI do to endpoints, apart from HTTP: create (with a new secret),
// present, change (enabling again restarts what the endpoint missed), remove, and resend.
import type { AppointmentView } from '../../store/appointment-view.js';
import {
  deleteWebhookEndpoint,
  insertWebhookEndpoint,
  selectWebhookEndpoint,
  updateWebhookEndpoint,
  type WebhookEndpointPatch,
} from '../../store/queries/webhook-endpoints.js';
import { markSinkRowsForResync } from '../../store/queries/sink-work.js';
import { restartUndeliveredMessages } from '../../store/queries/webhook-messages.js';
import { selectAppointmentsUpdatedSince } from '../../store/queries/webhook-resend.js';
import type { AppointmentRow, WebhookEndpointRow } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { queueMessage } from './messages.js';
import { generateSecret, newEndpointId } from './signer.js';
import { WEBHOOKS_SINK } from './webhooks-sink.js';

/** Appointments read per page while a resend queues its messages. */
const RESEND_PAGE_SIZE = 200;

export interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  created_at: string;
  last_delivery_at: string | null;
  last_status: number | null;
  last_error: string | null;
  failing_since: string | null;
}

export function presentEndpoint(row: WebhookEndpointRow): EndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    enabled: row.enabled === 1,
    disabled_reason: row.disabled_reason,
    created_at: row.created_at,
    last_delivery_at: row.last_delivery_at,
    last_status: row.last_status,
    last_error: row.last_error,
    failing_since: row.failing_since,
  };
}

export async function createEndpoint(store: Store, input: { url: string; description: string | null }, nowMs: number): Promise<WebhookEndpointRow> {
  const at = new Date(nowMs).toISOString();
  const row: WebhookEndpointRow = {
    id: newEndpointId(),
    url: input.url,
    description: input.description,
    secret: generateSecret(),
    enabled: 1,
    disabled_reason: null,
    created_at: at,
    created_at_ms: nowMs,
    last_delivery_at: null,
    last_status: null,
    last_error: null,
    failing_since: null,
    failing_since_ms: null,
    updated_at: at,
  };
  await insertWebhookEndpoint(store.db, row);
  // The endpoint hears of every change stamped at or after `nowMs`. A change made while it was being
  // inserted may have been settled (no endpoint yet) or synced by a worker that could not see it: such
  // rows are due again, and their sync now includes this endpoint (others see an unchanged version).
  const dueMs = Math.max(nowMs, Date.now());
  await markSinkRowsForResync(store.db, WEBHOOKS_SINK, at, dueMs, new Date(dueMs).toISOString());
  return row;
}

/** Applies a change; null when there is no such endpoint. Enabling a disabled endpoint makes what it missed due now. */
export async function changeEndpoint(store: Store, id: string, patch: WebhookEndpointPatch, nowMs: number): Promise<{ row: WebhookEndpointRow; restarted: number } | null> {
  const at = new Date(nowMs).toISOString();
  const before = await selectWebhookEndpoint(store.db, id);
  if (!before) return null;
  // Only a real switch counts: enabling an enabled endpoint must not reset its 5-day failure clock.
  const switching = patch.enabled !== undefined && patch.enabled !== (before.enabled === 1);
  const { enabled: _enabled, ...rest } = patch;
  if (!(await updateWebhookEndpoint(store.db, id, switching ? patch : rest, at))) return null;
  const restarted = switching && patch.enabled === true ? await restartUndeliveredMessages(store.db, id, nowMs, at) : 0;
  const row = await selectWebhookEndpoint(store.db, id);
  return row ? { row, restarted } : null;
}

export async function removeEndpoint(store: Store, id: string): Promise<boolean> {
  return deleteWebhookEndpoint(store.db, id);
}

/**
 * Queues the current state of every appointment changed at or after `sinceIso` as new messages (new
 * webhook-ids) of type appointment.updated; returns how many.
 */
export async function resendSince(
  store: Store,
  endpointId: string,
  sinceIso: string,
  present: (rows: readonly AppointmentRow[]) => Promise<AppointmentView[]>,
  nowMs: number,
): Promise<number> {
  let afterId = 0;
  let queued = 0;
  for (;;) {
    const rows = await selectAppointmentsUpdatedSince(store.db, sinceIso, afterId, RESEND_PAGE_SIZE);
    if (rows.length === 0) return queued;
    const views = await present(rows);
    await store.db.transaction().execute(async (trx) => {
      for (const view of views) await queueMessage(trx, { endpointId, view, resend: true, nowMs });
    });
    queued += views.length;
    afterId = (rows[rows.length - 1] as AppointmentRow).id;
    if (rows.length < RESEND_PAGE_SIZE) return queued;
  }
}
