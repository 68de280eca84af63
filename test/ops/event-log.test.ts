// The event log API over real HTTP on both stores: filters, cursor pages, the detail with the raw body,
// the failures listing, replay (harmless for processed events, applies parked ones once their booking is
// known), and bad input answered with a clear 4xx that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { markSinkFailed } from '../../src/store/queries/sink-admin.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { waitFor } from './helpers.js';

interface EventItem {
  id: number;
  trigger: string;
  result: string;
  booking_uid: string | null;
  appointment_id: number | null;
  dedup_key: string;
  replay_of: number | null;
  source: string;
}

describe.each(STORE_KINDS)('event log API (%s)', (kind) => {
  let server: TestServer;
  const uidA = makeBookingUid('event-log-A');
  const uidB = makeBookingUid('event-log-B');
  const uidParked = makeBookingUid('event-log-parked');
  let createdRaw = '';
  const ids: Record<string, number> = {};

  async function json(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
    const res = await server.api(path, init);
    return { status: res.status, body: await res.json() };
  }

  async function eventCount(): Promise<number> {
    const row = await server.app.store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  beforeAll(async () => {
    server = await startTestServer({ kind });
    const created = buildCalcomBody('BOOKING_CREATED', { uid: uidA });
    createdRaw = JSON.stringify(created, null, 2);
    const send = async (body: unknown, raw?: string) => (await (await server.sendWebhook(body, raw ? { raw } : {})).json()) as { event_id: number };
    ids.createdA = (await send(created, createdRaw)).event_id;
    ids.createdB = (await send(buildCalcomBody('BOOKING_CREATED', { uid: uidB }))).event_id;
    ids.cancelledA = (await send(buildCalcomBody('BOOKING_CANCELLED', { uid: uidA, cancellationReason: 'ill' }))).event_id;
    ids.ping = (await send(buildCalcomBody('PING'))).event_id;
    ids.parked = (await send(buildCalcomBody('BOOKING_NO_SHOW_UPDATED', { uid: uidParked }))).event_id;
    // Refused deliveries are recorded off the request path: wait for each before the next, so the listing's
    // order (newest first) is the order they were sent in (two background inserts on PostgreSQL can land in
    // either order; CI saw them swapped once).
    expect((await server.sendWebhook(null, { raw: '{"triggerEvent": "BOOKING_CREATED", oops' })).status).toBe(400);
    await waitFor('the first rejected delivery', async () => (await json('/api/events?result=rejected')).body.events.length === 1);
    expect((await server.sendWebhook({ triggerEvent: 'BOOKING_CREATED', createdAt: new Date().toISOString(), payload: { uid: uidB } })).status).toBe(422);
    await waitFor('two rejected deliveries', async () => (await json('/api/events?result=rejected')).body.events.length === 2);
  });

  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
  });

  it('lists every stored event newest first', async () => {
    const { status, body } = await json('/api/events');
    expect(status).toBe(200);
    expect(body.events.map((e: EventItem) => e.id)).toEqual([ids.parked, ids.ping, ids.cancelledA, ids.createdB, ids.createdA]);
    expect(body.next_cursor).toBeNull();
    expect(body.events[0]).not.toHaveProperty('raw_body');
  });

  it('filters by trigger, result, booking uid and appointment', async () => {
    const byTrigger = (await json('/api/events?trigger=BOOKING_CANCELLED')).body.events as EventItem[];
    expect(byTrigger.map((e) => e.id)).toEqual([ids.cancelledA]);
    expect(((await json('/api/events?result=parked')).body.events as EventItem[]).map((e) => e.id)).toEqual([ids.parked]);
    expect(((await json('/api/events?result=skipped')).body.events as EventItem[]).map((e) => e.trigger)).toEqual(['PING']);
    const byUid = (await json(`/api/events?booking_uid=${uidA}`)).body.events as EventItem[];
    expect(byUid.map((e) => e.id)).toEqual([ids.cancelledA, ids.createdA]);
    const appointmentId = byUid[0]?.appointment_id;
    expect(appointmentId).toBeTypeOf('number');
    const byAppointment = (await json(`/api/events?appointment_id=${appointmentId}&result=processed`)).body.events as EventItem[];
    expect(byAppointment.map((e) => e.id)).toEqual([ids.cancelledA, ids.createdA]);
  });

  it('filters by a received-time range', async () => {
    const all = (await json('/api/events')).body.events as { received_at: string }[];
    const oldest = all[all.length - 1]?.received_at as string;
    expect((await json('/api/events?since=2999-01-01T00:00:00Z')).body.events).toEqual([]);
    expect((await json('/api/events?until=2000-01-01')).body.events).toEqual([]);
    expect((await json(`/api/events?since=${encodeURIComponent(oldest)}`)).body.events).toHaveLength(5);
    // `until` is exclusive: the oldest event is not before its own time.
    expect((await json(`/api/events?until=${encodeURIComponent(oldest)}`)).body.events).toEqual([]);
  });

  it('pages with an opaque cursor until the end, without gaps or repeats', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { status, body }: { status: number; body: any } = await json(`/api/events?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(status).toBe(200);
      seen.push(...body.events.map((e: EventItem) => e.id));
      cursor = body.next_cursor;
      if (cursor === null) break;
    }
    expect(cursor).toBeNull();
    expect(seen).toEqual([ids.parked, ids.ping, ids.cancelledA, ids.createdB, ids.createdA]);
  });

  it('lists refused signed deliveries with result=rejected', async () => {
    const { body } = await json('/api/events?result=rejected&limit=1');
    expect(body.events).toHaveLength(1);
    expect(body.events[0]).toMatchObject({ result: 'rejected', code: 'validation_error', trigger: 'BOOKING_CREATED' });
    expect(body.events[0]).toHaveProperty('rejected_id');
    const next = await json(`/api/events?result=rejected&limit=1&cursor=${encodeURIComponent(body.next_cursor)}`);
    expect(next.body.events[0]).toMatchObject({ result: 'rejected', code: 'invalid_json' });
    // A cursor of one listing is refused by the other.
    const mixed = await json(`/api/events?cursor=${encodeURIComponent(body.next_cursor)}`);
    expect(mixed.status).toBe(422);
    expect(mixed.body.error.code).toBe('validation_error');
  });

  it('shows one event with its raw body exactly as received and its result', async () => {
    const { status, body } = await json(`/api/events/${ids.createdA}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: ids.createdA, trigger: 'BOOKING_CREATED', result: 'processed', action: 'created', source: 'webhook', booking_uid: uidA });
    expect(body.raw_body).toBe(createdRaw);
    expect(body.headers['content-type']).toBe('application/json');
    expect(JSON.stringify(body.headers)).not.toMatch(/x-cal-signature/i);
    expect(body.event.booking.uid).toBe(uidA);
    const parked = (await json(`/api/events/${ids.parked}`)).body;
    expect(parked).toMatchObject({ result: 'parked', appointment_id: null });
  });

  it('lists what needs attention in one call', async () => {
    const appointmentId = (await json(`/api/events/${ids.createdB}`)).body.appointment_id as number;
    const now = new Date();
    await markSinkFailed(server.app.store.db, 'notion', appointmentId, 'validation_error: Status is not a property', now.getTime(), now.toISOString());
    const { status, body } = await json('/api/events/failures');
    expect(status).toBe(200);
    expect(body.rejected.map((r: { code: string }) => r.code)).toEqual(['validation_error', 'invalid_json']);
    expect(body.parked.map((e: EventItem) => e.id)).toEqual([ids.parked]);
    expect(body.sync).toEqual([expect.objectContaining({ sink: 'notion', appointment_id: appointmentId, state: 'failed', last_error: 'validation_error: Status is not a property' })]);
  });

  it('replays a processed event as its own row without changing the appointment', async () => {
    const original = (await json(`/api/events/${ids.createdA}`)).body;
    const before = (await json(`/api/appointments/${original.appointment_id}`)).body;
    expect(before.status).toBe('cancelled');

    const first = await json(`/api/events/${ids.createdA}/replay`, { method: 'POST' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'processed', replay_of: ids.createdA, appointment_id: original.appointment_id });
    const replayRow = (await json(`/api/events/${first.body.event_id}`)).body;
    expect(replayRow).toMatchObject({ source: 'replay', replay_of: ids.createdA, dedup_key: `${original.dedup_key}:replay:1`, raw_body: createdRaw });
    expect(replayRow.headers['x-calsync-replay-of']).toBe(String(ids.createdA));

    // Folding the creation again cannot undo the later cancellation.
    const after = (await json(`/api/appointments/${original.appointment_id}`)).body;
    expect(after.status).toBe('cancelled');
    expect(after.version).toBe(before.version);
    expect(after.updated_at).toBe(before.updated_at);

    // A second replay, and a replay of the replay, are new rows of the same original.
    const second = (await json(`/api/events/${ids.createdA}/replay`, { method: 'POST' })).body;
    const ofReplay = (await json(`/api/events/${first.body.event_id}/replay`, { method: 'POST' })).body;
    expect(ofReplay.replay_of).toBe(ids.createdA);
    expect((await json(`/api/events/${second.event_id}`)).body.dedup_key).toBe(`${original.dedup_key}:replay:2`);
    expect((await json(`/api/events/${ofReplay.event_id}`)).body.dedup_key).toBe(`${original.dedup_key}:replay:3`);
    expect((await json(`/api/events/${ids.createdA}`)).body.replays).toEqual([first.body.event_id, second.event_id, ofReplay.event_id]);
    expect((await json(`/api/appointments/${original.appointment_id}`)).body.version).toBe(before.version);
  });

  it('replays a parked event: parked again while the booking is unknown, applied once it is known', async () => {
    const replay = await json(`/api/events/${ids.parked}/replay`, { method: 'POST' });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ status: 'parked', replay_of: ids.parked, booking_uid: uidParked });

    const created = await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid: uidParked }));
    expect(created.status).toBe(200);
    const appointmentId = ((await created.json()) as { appointment_id: number }).appointment_id;
    for (const id of [ids.parked, replay.body.event_id]) {
      expect((await json(`/api/events/${id}`)).body).toMatchObject({ result: 'processed', appointment_id: appointmentId });
    }
    const again = await json(`/api/events/${ids.parked}/replay`, { method: 'POST' });
    expect(again.body).toMatchObject({ status: 'processed', appointment_id: appointmentId });
    const appointment = (await json(`/api/appointments/${appointmentId}`)).body;
    expect(appointment.no_show).toBe(true);
  });

  it('replays a skipped event as skipped', async () => {
    const { status, body } = await json(`/api/events/${ids.ping}/replay`, { method: 'POST' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'skipped', replay_of: ids.ping });
  });

  it('answers bad input with a clear 4xx and stores nothing', async () => {
    const before = await eventCount();
    const cases: [string, RequestInit | undefined, number, string][] = [
      ['/api/events?result=bogus', undefined, 422, 'validation_error'],
      ['/api/events?limit=0', undefined, 422, 'validation_error'],
      ['/api/events?since=yesterday', undefined, 422, 'validation_error'],
      ['/api/events?cursor=not-a-cursor', undefined, 422, 'validation_error'],
      ['/api/events/abc', undefined, 422, 'validation_error'],
      ['/api/events/999999', undefined, 404, 'event_not_found'],
      ['/api/events/999999/replay', { method: 'POST' }, 404, 'event_not_found'],
      ['/api/events/0/replay', { method: 'POST' }, 422, 'validation_error'],
    ];
    for (const [path, init, status, code] of cases) {
      const res = await json(path, init);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status, code });
    }
    const unauthenticated = await fetch(`${server.url}/api/events/${ids.createdA}/replay`, { method: 'POST' });
    expect(unauthenticated.status).toBe(401);
    expect(((await fetch(`${server.url}/api/events`)) as Response).status).toBe(401);
    expect(await eventCount()).toBe(before);
  });
});
