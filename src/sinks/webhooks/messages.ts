// Making and replacing outbound messages (level-triggered, per endpoint and appointment): a newer version
// replaces a message not yet delivered, so the older state is never sent and the replacement starts its
// own schedule; the body is frozen when the message is made, so every retry sends the same bytes under
// the same webhook-id.
import type { AppointmentView } from '../../store/appointment-view.js';
import { deleteWebhookAttemptsOf } from '../../store/queries/webhook-attempts.js';
import {
  insertWebhookMessage,
  releaseReplacedMessage,
  replaceWebhookMessage,
  retypeUnsentMessage,
  selectWebhookMessage,
} from '../../store/queries/webhook-messages.js';
import type { WebhookMessageRow } from '../../store/schema.js';
import type { Db } from '../../store/store.js';
import { newMessageId } from './signer.js';

export const APPOINTMENT_CREATED = 'appointment.created';
export const APPOINTMENT_UPDATED = 'appointment.updated';
export type MessageType = typeof APPOINTMENT_CREATED | typeof APPOINTMENT_UPDATED;

/** Compare-and-set rounds before giving up (each lost round means another writer made progress). */
const MAX_QUEUE_ROUNDS = 10;

export function messageBody(type: MessageType, at: string, view: AppointmentView): string {
  return JSON.stringify({ type, timestamp: at, data: view });
}

/** Rewrites the type of a body made by messageBody (only before its first attempt). */
export function withType(body: string, type: MessageType): string {
  const parsed = JSON.parse(body) as { type: string; timestamp: string; data: unknown };
  return JSON.stringify({ type, timestamp: parsed.timestamp, data: parsed.data });
}

export interface QueueRequest {
  endpointId: string;
  view: AppointmentView;
  /** A resend: a new message of type appointment.updated even if this version was queued or delivered. */
  resend: boolean;
  nowMs: number;
}

export type QueueResult = 'queued' | 'replaced' | 'unchanged';

/**
 * Makes the endpoint's message for this version of the appointment, replacing an undelivered older one.
 * A version already queued or delivered (or an older one arriving late) changes nothing, except a resend.
 */
export async function queueMessage(db: Db, req: QueueRequest): Promise<QueueResult> {
  const at = new Date(req.nowMs).toISOString();
  for (let round = 0; round < MAX_QUEUE_ROUNDS; round += 1) {
    const existing = await selectWebhookMessage(db, req.endpointId, req.view.id);
    if (!existing) {
      const type = req.resend ? APPOINTMENT_UPDATED : APPOINTMENT_CREATED;
      const row: WebhookMessageRow = {
        endpoint_id: req.endpointId,
        appointment_id: req.view.id,
        message_id: newMessageId(),
        version: req.view.version,
        event_type: type,
        body: messageBody(type, at, req.view),
        state: 'pending',
        attempts: 0,
        next_attempt_at: req.nowMs,
        heard: 0,
        created_at: at,
        last_attempt_at: null,
        last_status: null,
        last_error: null,
        delivered_at: null,
        updated_at: at,
      };
      if (await insertWebhookMessage(db, row)) return 'queued';
      continue;
    }
    if (!req.resend && existing.version >= req.view.version) return 'unchanged';
    const type = nextType(existing, req.resend);
    const replaced = await replaceWebhookMessage(
      db,
      existing,
      {
        message_id: newMessageId(),
        version: req.view.version,
        event_type: type,
        body: messageBody(type, at, req.view),
        // An attempt of the older message is in flight: the new one waits for it (see releaseReplacedMessage).
        state: existing.state === 'sending' ? 'sending' : 'pending',
        next_attempt_at: existing.state === 'sending' ? existing.next_attempt_at : req.nowMs,
        created_at: at,
      },
      at,
    );
    if (!replaced) continue;
    await deleteWebhookAttemptsOf(db, existing.message_id);
    return 'replaced';
  }
  throw new Error(`could not queue the message of appointment ${req.view.id} for endpoint ${req.endpointId}: it kept changing`);
}

/**
 * `appointment.created` until the endpoint has received a message of this appointment; a replacement of a
 * first message never delivered stays `appointment.created`; a resend is always `appointment.updated`.
 */
function nextType(existing: WebhookMessageRow, resend: boolean): MessageType {
  if (resend || existing.heard === 1 || existing.state === 'delivered') return APPOINTMENT_UPDATED;
  return existing.event_type === APPOINTMENT_UPDATED ? APPOINTMENT_UPDATED : APPOINTMENT_CREATED;
}

/**
 * An attempt of a message that was replaced while it was in flight has ended: the replacement is due now.
 * If the older message arrived, the endpoint has heard of the appointment, so a replacement still marked
 * `appointment.created` (never attempted, so no receiver has seen its bytes) becomes `appointment.updated`.
 */
export async function releaseReplacement(
  db: Db,
  endpointId: string,
  appointmentId: number,
  oldMessageId: string,
  leaseUntilMs: number,
  delivered: boolean,
  nowMs: number,
): Promise<void> {
  const at = new Date(nowMs).toISOString();
  if (delivered) {
    const current = await selectWebhookMessage(db, endpointId, appointmentId);
    if (
      current &&
      current.message_id !== oldMessageId &&
      current.state === 'sending' &&
      current.next_attempt_at === leaseUntilMs &&
      current.attempts === 0 &&
      current.event_type === APPOINTMENT_CREATED
    ) {
      await retypeUnsentMessage(db, current, APPOINTMENT_UPDATED, withType(current.body, APPOINTMENT_UPDATED), at);
    }
  }
  await releaseReplacedMessage(db, endpointId, appointmentId, oldMessageId, leaseUntilMs, delivered, nowMs, at);
}
