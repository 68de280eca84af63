// Making and replacing messages (src/sinks/webhooks/messages.ts) on both stores, without HTTP: a newer
// version replaces an undelivered message under a new webhook-id; an older or equal version changes
// nothing; a replacement of a never-delivered first message stays appointment.created; after a delivery
// the next one is appointment.updated; a replacement made while an attempt is in flight waits for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentView } from '../../../src/store/appointment-view.js';
import { createEndpoint } from '../../../src/sinks/webhooks/endpoints.js';
import { queueMessage, releaseReplacement } from '../../../src/sinks/webhooks/messages.js';
import { claimWebhookMessage, markWebhookMessageDelivered, selectWebhookMessage } from '../../../src/store/queries/webhook-messages.js';
import { openFreshStore, type OpenedTestStore } from '../../support/open-store.js';
import { STORE_KINDS } from '../../support/stores.js';

function view(id: number, version: number): AppointmentView {
  return { id, version, status: version > 1 ? 'cancelled' : 'accepted', updated_at: new Date().toISOString() } as unknown as AppointmentView;
}

describe.each(STORE_KINDS)('webhook messages (%s)', (kind) => {
  let opened: OpenedTestStore;
  let endpointId: string;
  const now = Date.now();
  beforeAll(async () => {
    opened = await openFreshStore(kind);
    endpointId = (await createEndpoint(opened.store, { url: 'https://example.com/hook', description: null }, now)).id;
  });
  afterAll(async () => {
    await opened?.dispose();
  });
  const db = () => opened.store.db;
  const current = async (appointmentId: number) => (await selectWebhookMessage(db(), endpointId, appointmentId))!;

  it('replaces an undelivered message with a newer version, keeping appointment.created', async () => {
    expect(await queueMessage(db(), { endpointId, view: view(1, 1), resend: false, nowMs: now })).toBe('queued');
    const first = await current(1);
    expect(first).toMatchObject({ version: 1, event_type: 'appointment.created', state: 'pending', heard: 0 });
    expect(await queueMessage(db(), { endpointId, view: view(1, 1), resend: false, nowMs: now })).toBe('unchanged');
    expect(await queueMessage(db(), { endpointId, view: view(1, 3), resend: false, nowMs: now })).toBe('replaced');
    const second = await current(1);
    expect(second.message_id).not.toBe(first.message_id);
    expect(second).toMatchObject({ version: 3, event_type: 'appointment.created', state: 'pending', attempts: 0 });
    expect(JSON.parse(second.body)).toMatchObject({ type: 'appointment.created', data: { id: 1, version: 3 } });
    // A late, older version changes nothing.
    expect(await queueMessage(db(), { endpointId, view: view(1, 2), resend: false, nowMs: now })).toBe('unchanged');
    expect((await current(1)).message_id).toBe(second.message_id);
  });

  it('after a delivery, the next version is appointment.updated; a resend is a new id of the same version', async () => {
    await queueMessage(db(), { endpointId, view: view(2, 1), resend: false, nowMs: now });
    const first = await current(2);
    expect(await claimWebhookMessage(db(), first.message_id, now, now + 60_000, new Date(now).toISOString())).toBe(true);
    expect(await markWebhookMessageDelivered(db(), first.message_id, { status: 204, error: null, at: new Date(now).toISOString() })).toBe(true);
    expect(await queueMessage(db(), { endpointId, view: view(2, 2), resend: false, nowMs: now })).toBe('replaced');
    const second = await current(2);
    expect(second).toMatchObject({ event_type: 'appointment.updated', version: 2, state: 'pending' });
    expect(await queueMessage(db(), { endpointId, view: view(2, 2), resend: true, nowMs: now })).toBe('replaced');
    const resent = await current(2);
    expect(resent.message_id).not.toBe(second.message_id);
    expect(resent).toMatchObject({ event_type: 'appointment.updated', version: 2 });
  });

  it('a replacement made during an attempt waits for it, then goes; the older one arriving makes it appointment.updated', async () => {
    await queueMessage(db(), { endpointId, view: view(3, 1), resend: false, nowMs: now });
    const first = await current(3);
    const leaseUntil = now + 60_000;
    expect(await claimWebhookMessage(db(), first.message_id, now, leaseUntil, new Date(now).toISOString())).toBe(true);
    await queueMessage(db(), { endpointId, view: view(3, 2), resend: false, nowMs: now });
    const waiting = await current(3);
    expect(waiting).toMatchObject({ state: 'sending', next_attempt_at: leaseUntil, version: 2, event_type: 'appointment.created' });
    // A second sender cannot take it while the first attempt's lease runs.
    expect(await claimWebhookMessage(db(), waiting.message_id, now + 1, now + 60_000, new Date(now).toISOString())).toBe(false);
    // The older attempt succeeded: its result is not written onto the newer message...
    expect(await markWebhookMessageDelivered(db(), first.message_id, { status: 204, error: null, at: new Date(now).toISOString() })).toBe(false);
    // A different lease is someone else's claim: left alone.
    await releaseReplacement(db(), endpointId, 3, first.message_id, leaseUntil + 1, true, now + 2);
    expect(await current(3)).toMatchObject({ state: 'sending', event_type: 'appointment.created' });
    await releaseReplacement(db(), endpointId, 3, first.message_id, leaseUntil, true, now + 2);
    const released = await current(3);
    // ...the newer one is due now, and is an update, since the receiver has heard of the appointment.
    expect(released).toMatchObject({ message_id: waiting.message_id, state: 'pending', next_attempt_at: now + 2, heard: 1, event_type: 'appointment.updated' });
    expect(JSON.parse(released.body)).toMatchObject({ type: 'appointment.updated', data: { version: 2 } });
  });
});
