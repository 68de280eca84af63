// Reconciliation against the Cal.com emulator on both stores: changes whose webhooks were lost (emulator in
// drop mode) are repaired through POST /api/reconcile; what calsync already knows is left alone, and a
// second run changes nothing at all.
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { reconcileOnce, RECONCILE_CURSOR_KEY, RECONCILE_OVERLAP_MS } from '../../src/reconcile/reconcile.js';
import { selectSetting } from '../../src/store/queries/settings.js';
import type { Db } from '../../src/store/store.js';
import { startTestServer } from '../support/server.js';
import { storeCounts } from '../support/store-peek.js';
import { STORE_KINDS } from '../support/stores.js';
import { apiJson, type Rig, useSubscribedRig, waitRecordingClient } from './harness.js';

const ATTENDEE = { name: 'Grace Hopper', email: 'grace@example.com', timeZone: 'America/New_York' };

async function versions(db: Db): Promise<Record<number, number>> {
  const rows = await db.selectFrom('appointments').select(['id', 'version']).execute();
  return Object.fromEntries(rows.map((r) => [r.id, r.version]));
}

async function appointmentByUid(rig: Rig, uid: string) {
  const res = await apiJson(rig.server, `/api/appointments?calcom_uid=${uid}`);
  expect(res.status).toBe(200);
  return res.body.appointments as any[];
}

describe.each(STORE_KINDS)('reconciliation (%s)', (kind) => {
  const rig = useSubscribedRig(kind);
  afterEach(async () => {
    rig.calcom.setWebhookDelivery('on');
    await rig.calcom.flushDeliveries();
  });

  it('repairs a missed creation, cancellation, reschedule and confirmation, and leaves known bookings alone', async () => {
    const calcom = rig.calcom;
    // Known through webhooks.
    const known = calcom.createBookingDirect({ eventTypeId: 1201, start: '2031-05-01T09:00:00Z', attendee: ATTENDEE });
    const toCancel = calcom.createBookingDirect({ eventTypeId: 1201, start: '2031-05-02T09:00:00Z', attendee: ATTENDEE });
    const toMove = calcom.createBookingDirect({ eventTypeId: 1201, start: '2031-05-03T09:00:00Z', attendee: ATTENDEE });
    const pending = calcom.createBookingDirect({ eventTypeId: 1202, start: '2031-05-04T09:00:00Z', attendee: ATTENDEE });
    await calcom.flushDeliveries();
    expect(calcom.deliveries.filter((d) => d.outcome === 'delivered').map((d) => d.status)).toEqual([200, 200, 200, 200]);
    const cancelledBefore = (await appointmentByUid(rig, toCancel.uid))[0];
    const movedBefore = (await appointmentByUid(rig, toMove.uid))[0];
    expect((await appointmentByUid(rig, pending.uid))[0].status).toBe('requested');

    // Lost: Cal.com changes bookings but no webhook arrives.
    calcom.setWebhookDelivery('drop');
    const missed = calcom.createBookingDirect({ eventTypeId: 1201, start: '2031-05-05T09:00:00Z', attendee: ATTENDEE });
    calcom.cancelBooking(toCancel.uid, { reason: 'Changed plans' });
    const moved = calcom.rescheduleBooking(toMove.uid, '2031-05-06T15:00:00Z', { reason: 'Clash' });
    calcom.confirmBooking(pending.uid);
    await calcom.flushDeliveries();
    expect(calcom.deliveries.filter((d) => d.outcome === 'dropped')).toHaveLength(4);
    expect(await appointmentByUid(rig, missed.uid)).toEqual([]);

    const countsBefore = await storeCounts(rig.server.app.store.db);
    const knownBefore = (await appointmentByUid(rig, known.uid))[0];
    const res = await apiJson(rig.server, '/api/reconcile', { method: 'POST', body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', complete: true, failed: 0, recorded: 4 });
    expect(res.body.seen).toBeGreaterThanOrEqual(6);

    // Missed creation: a new appointment, recorded as coming from reconciliation.
    const [created] = await appointmentByUid(rig, missed.uid);
    expect(created).toMatchObject({ status: 'accepted', source: 'reconcile', start_time: '2031-05-05T09:00:00.000Z' });
    expect(created.attendees.map((a: { email: string }) => a.email)).toEqual(['grace@example.com']);
    const createdEvents = await rig.server.app.store.db.selectFrom('events').selectAll().where('appointment_id', '=', created.id).execute();
    expect(createdEvents.map((e) => [e.source, e.trigger, e.result])).toEqual([['reconcile', 'BOOKING_SNAPSHOT', 'processed']]);

    // Missed cancellation.
    const [cancelled] = await appointmentByUid(rig, toCancel.uid);
    expect(cancelled).toMatchObject({ id: cancelledBefore.id, status: 'cancelled', cancellation_reason: 'Changed plans' });
    expect(cancelled.version).toBe(cancelledBefore.version + 1);

    // Missed reschedule: the same appointment follows the booking to its new uid and time.
    const [rescheduled] = await appointmentByUid(rig, moved.uid);
    expect(rescheduled).toMatchObject({
      id: movedBefore.id,
      status: 'accepted',
      calcom_booking_uid: moved.uid,
      start_time: '2031-05-06T15:00:00.000Z',
      end_time: '2031-05-06T15:30:00.000Z',
    });
    expect(rescheduled.previous_uids).toEqual([toMove.uid]);
    expect(rescheduled.reschedule_reason).toBe('Clash');

    // Missed confirmation.
    expect((await appointmentByUid(rig, pending.uid))[0].status).toBe('accepted');

    // The known booking is untouched, and only one new appointment exists.
    expect((await appointmentByUid(rig, known.uid))[0]).toEqual(knownBefore);
    const countsAfter = await storeCounts(rig.server.app.store.db);
    expect(countsAfter.appointments - countsBefore.appointments).toBe(1);
    expect(countsAfter.events - countsBefore.events).toBe(4);

    // A second run reads the same bookings and changes nothing: no event, no version bump.
    const versionsBefore = await versions(rig.server.app.store.db);
    const again = await apiJson(rig.server, '/api/reconcile', { method: 'POST', body: { since: '2020-01-01' } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ recorded: 0, failed: 0, complete: true, since: '2020-01-01T00:00:00.000Z' });
    expect(again.body.unchanged).toBe(again.body.seen);
    expect(await storeCounts(rig.server.app.store.db)).toEqual(countsAfter);
    expect(await versions(rig.server.app.store.db)).toEqual(versionsBefore);

    // Without a date, the next run starts from the high-water mark: the newest updatedAt Cal.com reported to
    // the last complete run (minus the overlap).
    const cursor = await selectSetting(rig.server.app.store.db, RECONCILE_CURSOR_KEY);
    const newest = calcom.bookings.map((b) => b.updatedAt).sort().at(-1);
    expect(cursor).toBe(newest);
    expect(again.body.high_water_mark).toBe(newest);
    const next = await apiJson(rig.server, '/api/reconcile', { method: 'POST', body: {} });
    expect(next.body.since).toBe(new Date(Date.parse(cursor!) - RECONCILE_OVERLAP_MS).toISOString());
    expect(next.body.recorded).toBe(0);

    // A reconciliation snapshot can be replayed like a webhook: it folds again and changes nothing.
    const snapshotEvent = createdEvents[0]!;
    const replay = await apiJson(rig.server, `/api/events/${snapshotEvent.id}/replay`, { method: 'POST', body: {} });
    expect(replay.status).toBe(200);
    expect(await versions(rig.server.app.store.db)).toEqual(versionsBefore);
    const replayRow = await rig.server.app.store.db.selectFrom('events').selectAll().where('replay_of', '=', snapshotEvent.id).executeTakeFirstOrThrow();
    expect([replayRow.source, replayRow.trigger, replayRow.result, replayRow.appointment_id]).toEqual(['replay', 'BOOKING_SNAPSHOT', 'processed', created.id]);
  });

  it('pages through every booking, and backs off when Cal.com throttles the listing', async () => {
    const calcom = rig.calcom;
    calcom.setWebhookDelivery('drop');
    const uids = Array.from({ length: 7 }, (_, i) =>
      calcom.createBookingDirect({ eventTypeId: 1201, start: `2031-06-${String(10 + i).padStart(2, '0')}T09:00:00Z`, attendee: ATTENDEE }).uid,
    );
    await calcom.flushDeliveries();
    calcom.failNext(1, 429, { retryAfterSeconds: 1 });
    const { client, slept } = waitRecordingClient(calcom);
    const listCalls = () => calcom.requests.filter((r) => r.url.startsWith('/v2/bookings?')).length;
    const callsBefore = listCalls();
    const summary = await reconcileOnce(
      { db: rig.server.app.store.db, client, intake: rig.server.app.intake, log: pino({ level: 'silent' }) },
      { since: '2020-01-01T00:00:00Z', pageSize: 2 },
    );
    expect(slept).toEqual([1000]);
    expect(summary.complete).toBe(true);
    expect(summary.pages).toBeGreaterThanOrEqual(Math.ceil(calcom.bookings.length / 2));
    expect(listCalls() - callsBefore).toBe(summary.pages + 1);
    expect(summary.seen).toBe(calcom.bookings.length);
    for (const uid of uids) expect(await appointmentByUid(rig, uid)).toHaveLength(1);
  });

  it('runs one reconciliation at a time: a second request meanwhile gets 409', async () => {
    const seen = rig.calcom.requests.length;
    rig.calcom.failNext(1, 429, { retryAfterSeconds: 1 });
    const first = apiJson(rig.server, '/api/reconcile', { method: 'POST', body: {} });
    // The first run is now waiting out its 429 for a second.
    await waitFor(() => rig.calcom.requests.slice(seen).some((r) => r.status === 429));
    const second = await apiJson(rig.server, '/api/reconcile', { method: 'POST', body: {} });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('conflict');
    expect((await first).status).toBe(200);
  });

  it('refuses a bad since with 422', async () => {
    const res = await apiJson(rig.server, '/api/reconcile', { method: 'POST', body: { since: '2026-02-30' } });
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues[0].path).toBe('since');
  });
});

describe('reconciliation without CALCOM_API_KEY', () => {
  it('answers 503 calcom_not_configured', async () => {
    const server = await startTestServer({ env: { RECONCILE_INTERVAL_MINUTES: '5' } });
    try {
      expect(server.app.workers.map((w) => w.name)).not.toContain('reconcile');
      const res = await apiJson(server, '/api/reconcile', { method: 'POST', body: {} });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('calcom_not_configured');
    } finally {
      await server.close();
      await server.location.cleanup();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
