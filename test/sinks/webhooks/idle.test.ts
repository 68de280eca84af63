// The outbound-webhooks sink is always on, so every change marks its row pending. With no endpoint at all
// there is nothing to make: the worker settles those rows in bulk instead of claiming, loading and
// completing them one by one (issue 14: that per-row work cost the hot path its p99). An endpoint created
// afterwards still hears of every change made after its creation, and of nothing before (the contract).
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../../src/calcom/samples.js';
import { Intake } from '../../../src/intake/intake.js';
import { incomingEvent, readDelivery } from '../../../src/intake/incoming.js';
import type { IncomingEvent } from '../../../src/intake/record-event.js';
import { ALWAYS_LEADER } from '../../../src/sinks/leadership.js';
import type { Sink } from '../../../src/sinks/sink.js';
import { createEndpoint } from '../../../src/sinks/webhooks/endpoints.js';
import { createWebhooksSink, WEBHOOKS_SINK } from '../../../src/sinks/webhooks/webhooks-sink.js';
import { SinkWorker } from '../../../src/sinks/worker.js';
import { settleWebhookTasksWithoutEndpoints } from '../../../src/store/queries/webhook-endpoints.js';
import type { SinkStateRow } from '../../../src/store/schema.js';
import { openFreshStore, type OpenedTestStore } from '../../support/open-store.js';
import { STORE_KINDS } from '../../support/stores.js';
import { calcomBody, waitFor } from '../support/notion.js';

const log = pino({ level: 'silent' });
const TUNING = { concurrency: 4, pollIntervalMs: 20, claimLeaseMs: 60_000, errorDelayMs: 20, maxErrorDelayMs: 100, backoff: { baseDelayMs: 50, maxDelayMs: 200 } };
const BOOKINGS = 30;

function incoming(body: Record<string, unknown>): IncomingEvent {
  return incomingEvent(readDelivery(body), { source: 'webhook', rawBody: JSON.stringify(body), headers: {} });
}

describe.each(STORE_KINDS)('outbound webhooks with no endpoint (%s)', (kind) => {
  let opened: OpenedTestStore;
  let intake: Intake;
  let worker: SinkWorker | null;
  /** Appointments the sink was handed one by one (each is a claimed row). */
  let synced: number[];

  beforeEach(async () => {
    opened = await openFreshStore(kind);
    intake = new Intake(opened.store, { sinks: [WEBHOOKS_SINK], log });
    worker = null;
    synced = [];
  });

  afterEach(async () => {
    await worker?.stop();
    await intake.idle();
    await opened.dispose();
  });

  function startWorker(): void {
    const real = createWebhooksSink({ store: opened.store, onQueued: () => undefined });
    const sink: Sink = {
      ...real,
      sync: (task, ctx) => {
        synced.push(task.appointmentId);
        return real.sync(task, ctx);
      },
    };
    worker = new SinkWorker({ sink, store: opened.store, log, leadership: ALWAYS_LEADER, tuning: TUNING });
    worker.start();
  }

  async function submit(trigger: 'BOOKING_CREATED' | 'BOOKING_CANCELLED', uid: string): Promise<number> {
    const outcome = await intake.submit(incoming(calcomBody(trigger, { uid })));
    if (outcome.status !== 'processed') throw new Error(`${trigger} not processed`);
    return outcome.appointmentId;
  }

  async function rows(): Promise<SinkStateRow[]> {
    return opened.store.db.selectFrom('sink_state').selectAll().where('sink', '=', WEBHOOKS_SINK).orderBy('appointment_id').execute();
  }

  async function versions(): Promise<Map<number, number>> {
    const all = await opened.store.db.selectFrom('appointments').select(['id', 'version']).execute();
    return new Map(all.map((a) => [a.id, Number(a.version)]));
  }

  async function messages(): Promise<{ endpoint_id: string; appointment_id: number; version: number; event_type: string }[]> {
    return opened.store.db.selectFrom('webhook_messages').select(['endpoint_id', 'appointment_id', 'version', 'event_type']).orderBy('appointment_id').execute();
  }

  async function expectAllSyncedAtCurrentVersion(count: number): Promise<void> {
    const settled = await waitFor(`${count} webhooks rows synced`, async () => {
      const all = await rows();
      return all.length === count && all.every((r) => r.state === 'synced') ? all : null;
    });
    const current = await versions();
    for (const row of settled) {
      expect({ id: row.appointment_id, synced_version: row.synced_version, attempts: row.attempts, next: Number(row.next_attempt_at) }).toEqual({
        id: row.appointment_id,
        synced_version: current.get(row.appointment_id),
        attempts: 0,
        next: 0,
      });
    }
  }

  it('settles every change as synced at its version without handing any row to the sink', async () => {
    const uids = Array.from({ length: BOOKINGS }, () => makeBookingUid());
    for (const uid of uids) await submit('BOOKING_CREATED', uid);
    // Some appointments change again (version 2).
    for (const uid of uids.slice(0, 5)) await submit('BOOKING_CANCELLED', uid);
    expect((await rows()).every((r) => r.state === 'pending')).toBe(true);

    startWorker();
    await expectAllSyncedAtCurrentVersion(BOOKINGS);
    expect(Math.max(...(await versions()).values())).toBe(2);
    // Without the bulk settle each of these rows is claimed, loaded and synced on its own.
    expect(synced).toEqual([]);

    // Changes while the worker runs end synced at their latest version too (a change that lands between a
    // pass's settle and its look for due rows may still take the row-by-row path, which is as correct).
    const more = Array.from({ length: 10 }, () => makeBookingUid());
    for (const uid of more) await submit('BOOKING_CREATED', uid);
    for (const uid of [...uids.slice(5, 10), ...more.slice(0, 5)]) await submit('BOOKING_CANCELLED', uid);
    await expectAllSyncedAtCurrentVersion(BOOKINGS + more.length);
    expect(await messages()).toEqual([]);
  });

  it('an endpoint created afterwards gets the changes made after its creation, and nothing from before', async () => {
    const before = makeBookingUid();
    const changedLater = makeBookingUid();
    const untouched = await submit('BOOKING_CREATED', before);
    const later = await submit('BOOKING_CREATED', changedLater);
    startWorker();
    await waitFor('rows settled', async () => {
      const all = await rows();
      return all.length === 2 && all.every((r) => r.state === 'synced');
    });
    expect(synced).toEqual([]);

    const endpoint = await createEndpoint(opened.store, { url: 'https://receiver.example/hook', description: null }, Date.now());
    // A change after the endpoint exists: not settled in bulk, synced for the endpoint.
    const newer = await submit('BOOKING_CREATED', makeBookingUid());
    await submit('BOOKING_CANCELLED', changedLater);
    const current = await versions();
    const queued = await waitFor('messages for the changes after the endpoint', async () => {
      const all = await messages();
      return all.length >= 2 ? all : null;
    });
    expect(queued).toEqual([
      { endpoint_id: endpoint.id, appointment_id: later, version: current.get(later), event_type: 'appointment.created' },
      { endpoint_id: endpoint.id, appointment_id: newer, version: 1, event_type: 'appointment.created' },
    ]);
    expect(queued.some((m) => m.appointment_id === untouched)).toBe(false);
    expect([...new Set(synced)].sort((a, b) => a - b)).toEqual([later, newer].sort((a, b) => a - b));
    await waitFor('rows synced again', async () => (await rows()).every((r) => r.state === 'synced'));
  });

  it('a change settled while an endpoint was being created still reaches that endpoint', async () => {
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    const earlier = await submit('BOOKING_CREATED', makeBookingUid());
    await pause();
    // The endpoint's creation starts (its created_at) before the next change, but the change is settled
    // before the endpoint's row is visible: creating the endpoint makes such rows due again.
    const creationStarted = Date.now();
    await pause();
    const during = await submit('BOOKING_CREATED', makeBookingUid());
    startWorker();
    await expectAllSyncedAtCurrentVersion(2);
    expect(synced).toEqual([]);

    const endpoint = await createEndpoint(opened.store, { url: 'https://receiver.example/hook', description: null }, creationStarted);
    const queued = await waitFor('the message of the change made during the creation', async () => {
      const all = await messages();
      return all.length >= 1 ? all : null;
    });
    expect(queued).toEqual([{ endpoint_id: endpoint.id, appointment_id: during, version: 1, event_type: 'appointment.created' }]);
    await expectAllSyncedAtCurrentVersion(2);
    // The change from before the endpoint's creation is not sent (resend covers the past).
    expect((await messages()).some((m) => m.appointment_id === earlier)).toBe(false);
  });

  it('leaves pending rows alone while an endpoint exists, and rows dirtied after the pass began', async () => {
    const first = await submit('BOOKING_CREATED', makeBookingUid());
    const t0 = Date.now();
    // A change stamped after `t0` (a pass that began at t0 must not settle it: it may follow an endpoint's creation).
    expect(await settleWebhookTasksWithoutEndpoints(opened.store.db, WEBHOOKS_SINK, Number((await rows())[0]!.next_attempt_at) - 1, new Date(t0).toISOString())).toBe(0);
    expect((await rows())[0]!.state).toBe('pending');

    await createEndpoint(opened.store, { url: 'https://receiver.example/hook', description: null }, Date.now());
    expect(await settleWebhookTasksWithoutEndpoints(opened.store.db, WEBHOOKS_SINK, Date.now() + 1_000, new Date().toISOString())).toBe(0);
    expect((await rows()).map((r) => [r.appointment_id, r.state])).toEqual([[first, 'pending']]);
  });
});
