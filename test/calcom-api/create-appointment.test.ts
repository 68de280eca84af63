// POST /api/appointments against the Cal.com emulator, on both stores: the booking carries calsync's id in
// its metadata, Cal.com's BOOKING_CREATED echo lands on the same appointment, and a failed call leaves
// nothing behind.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
import { storeCounts } from '../support/store-peek.js';
import { STORE_KINDS } from '../support/stores.js';
import { apiJson, appointmentRequest, type Rig, startRig, subscribeServer, useSubscribedRig } from './harness.js';

describe.each(STORE_KINDS)('POST /api/appointments (%s)', (kind) => {
  const rig = useSubscribedRig(kind);
  afterEach(async () => {
    rig.calcom.setFault(null);
    await rig.calcom.flushDeliveries();
  });

  it('books through Cal.com with our id in the metadata, and the echo links to the same appointment', async () => {
    const before = await storeCounts(rig.server.app.store.db);
    const res = await apiJson(rig.server, '/api/appointments', { method: 'POST', body: appointmentRequest() });
    expect(res.status).toBe(201);
    const created = res.body;
    expect(created.source).toBe('calsync');
    expect(typeof created.calcom_booking_uid).toBe('string');
    expect(created.metadata).toMatchObject({ calsync_appointment_id: String(created.id), source: 'calsync', crm_id: 'crm-42' });
    expect(created.attendees[0]).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', time_zone: 'Europe/London' });
    expect(created.start_time).toBe('2031-02-03T10:00:00.000Z');
    expect(created.end_time).toBe('2031-02-03T10:30:00.000Z');

    const atCalcom = rig.calcom.getBooking(created.calcom_booking_uid);
    expect(atCalcom?.metadata).toEqual({ calsync_appointment_id: String(created.id), source: 'calsync', crm_id: 'crm-42' });
    const post = rig.calcom.requests.find((r) => r.method === 'POST' && r.url === '/v2/bookings');
    expect(post?.apiVersion).toBe('2024-08-13');

    await rig.calcom.flushDeliveries();
    const echo = rig.calcom.deliveries.find((d) => d.trigger === 'BOOKING_CREATED' && d.bookingUid === created.calcom_booking_uid);
    expect(echo?.status).toBe(200);
    expect(JSON.parse(echo!.body).payload.metadata.calsync_appointment_id).toBe(String(created.id));

    const after = await storeCounts(rig.server.app.store.db);
    expect(after.appointments - before.appointments).toBe(1);
    const listed = await apiJson(rig.server, `/api/appointments?calcom_uid=${created.calcom_booking_uid}`);
    expect(listed.body.appointments.map((a: { id: number }) => a.id)).toEqual([created.id]);
    const current = await apiJson(rig.server, `/api/appointments/${created.id}`);
    expect(current.body).toMatchObject({ status: 'accepted', source: 'calsync', calcom_booking_uid: created.calcom_booking_uid });

    // Cal.com's answer (source api) and the webhook echo: both on this appointment, exactly one linked it.
    const events = await rig.server.app.store.db.selectFrom('events').selectAll().where('appointment_id', '=', created.id).orderBy('id').execute();
    expect(events.map((e) => e.source).sort()).toEqual(['api', 'webhook']);
    expect(events.every((e) => e.result === 'processed')).toBe(true);
    expect(events.filter((e) => e.action === 'linked')).toHaveLength(1);
  });

  it('refuses an invalid request with 422 and the failing fields, without calling Cal.com or storing anything', async () => {
    const before = await storeCounts(rig.server.app.store.db);
    const calls = rig.calcom.requests.length;
    const bad = appointmentRequest({
      start: 'tomorrow',
      attendee: { name: '', email: 'not-an-email', time_zone: 'Mars/Olympus' },
      metadata: { calsync_appointment_id: '7', ok: 'x'.repeat(501), ['k'.repeat(41)]: 'v' },
      unexpected: true,
    });
    const res = await apiJson(rig.server, '/api/appointments', { method: 'POST', body: bad });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_error');
    const paths = res.body.error.details.issues.map((i: { path: string }) => i.path);
    for (const field of ['start', 'attendee.name', 'attendee.email', 'attendee.time_zone', 'metadata.ok']) expect(paths).toContain(field);
    expect(paths.some((p: string) => p.startsWith('metadata'))).toBe(true);
    expect(rig.calcom.requests.length).toBe(calls);
    expect(await storeCounts(rig.server.app.store.db)).toEqual(before);
  });

  it('passes on Cal.com refusing the booking as 422 calcom_rejected with its message, and keeps nothing', async () => {
    const before = await storeCounts(rig.server.app.store.db);
    const res = await apiJson(rig.server, '/api/appointments', { method: 'POST', body: appointmentRequest({ event_type_id: 9999 }) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('calcom_rejected');
    expect(res.body.error.message).toContain('Event type with id=9999 not found');
    expect(res.body.error.details.calcom_status).toBe(404);
    expect(await storeCounts(rig.server.app.store.db)).toEqual(before);
  });

  it('answers 502 calcom_api_error when Cal.com fails, does not repeat the POST, and keeps nothing', async () => {
    const before = await storeCounts(rig.server.app.store.db);
    const posts = () => rig.calcom.requests.filter((r) => r.method === 'POST' && r.url === '/v2/bookings').length;
    const postsBefore = posts();
    rig.calcom.setFault(500);
    const res = await apiJson(rig.server, '/api/appointments', { method: 'POST', body: appointmentRequest() });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('calcom_api_error');
    expect(res.body.error.message).toContain('HTTP 500');
    expect(posts() - postsBefore).toBe(1);
    expect(await storeCounts(rig.server.app.store.db)).toEqual(before);
  });

  it('waits out a 429 as Retry-After asks and then books', async () => {
    rig.calcom.failNext(1, 429, { retryAfterSeconds: 1 });
    const calls = rig.calcom.requests.length;
    const res = await apiJson(rig.server, '/api/appointments', { method: 'POST', body: appointmentRequest({ start: '2031-02-04T10:00:00Z' }) });
    expect(res.status).toBe(201);
    const made = rig.calcom.requests.slice(calls).filter((r) => r.url === '/v2/bookings');
    expect(made.map((r) => r.status)).toEqual([429, 201]);
  });
});

describe.each(STORE_KINDS)('POST /api/appointments when Cal.com books but calsync cannot read its answer (%s)', (kind) => {
  /**
   * A proxy in front of the emulator: it forwards the booking request (so Cal.com books and sends its
   * webhook), then either drops the connection after the echo has reached calsync, or answers 201 with a
   * body calsync cannot read.
   */
  async function withProxy(mode: 'drop-after-echo' | 'garbage', test: (rig: Rig) => Promise<void>): Promise<void> {
    let rig: Rig | null = null;
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const forwarded = await fetch(rig!.calcom.url + req.url, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        });
        await forwarded.arrayBuffer();
        if (mode === 'garbage') {
          res.writeHead(201, { 'content-type': 'application/json' }).end('{"status":"success","data":{"booked":true}}');
          return;
        }
        await rig!.calcom.flushDeliveries();
        res.socket?.destroy();
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      rig = await startRig(kind, { CALCOM_API_URL: `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}` });
      await subscribeServer(rig);
      await test(rig);
    } finally {
      await rig?.close();
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  }

  it('keeps the appointment its BOOKING_CREATED echo linked when the answer is lost, instead of deleting it', async () => {
    await withProxy('drop-after-echo', async (rig) => {
      const res = await apiJson(rig.server, '/api/appointments', { method: 'POST', body: appointmentRequest() });
      expect(res.status).toBe(201);
      const [booking] = rig.calcom.bookings;
      expect(res.body).toMatchObject({ calcom_booking_uid: booking!.uid, source: 'calsync', status: 'accepted' });
      expect(booking!.metadata.calsync_appointment_id).toBe(String(res.body.id));
      const events = await rig.server.app.store.db.selectFrom('events').selectAll().execute();
      expect(events.map((e) => [e.source, e.trigger, e.action, e.appointment_id])).toEqual([['webhook', 'BOOKING_CREATED', 'linked', res.body.id]]);
      expect((await storeCounts(rig.server.app.store.db)).appointments).toBe(1);
    });
  });

  it('keeps the pending appointment when Cal.com answered 2xx unreadably, and the echo links it', async () => {
    await withProxy('garbage', async (rig) => {
      const res = await apiJson(rig.server, '/api/appointments', { method: 'POST', body: appointmentRequest() });
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: 'calcom_api_error', details: { calcom_accepted: true } });
      await rig.calcom.flushDeliveries();
      const [booking] = rig.calcom.bookings;
      const listed = await apiJson(rig.server, `/api/appointments?calcom_uid=${booking!.uid}`);
      expect(listed.body.appointments).toHaveLength(1);
      expect(listed.body.appointments[0]).toMatchObject({ id: Number(booking!.metadata.calsync_appointment_id), source: 'calsync', status: 'accepted' });
      expect((await storeCounts(rig.server.app.store.db)).appointments).toBe(1);
    });
  });
});

describe('POST /api/appointments without a usable Cal.com', () => {
  it('answers 503 calcom_not_configured without CALCOM_API_KEY', async () => {
    const server = await startTestServer({ env: { RECONCILE_INTERVAL_MINUTES: '0' } });
    try {
      const res = await apiJson(server, '/api/appointments', { method: 'POST', body: appointmentRequest() });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('calcom_not_configured');
      expect((await storeCounts(server.app.store.db)).appointments).toBe(0);
    } finally {
      await server.close();
      await server.location.cleanup();
    }
  });

  it('answers 502 calcom_api_error when Cal.com cannot be reached, and keeps nothing', async () => {
    const port = await closedPort();
    const server = await startTestServer({
      env: { CALCOM_API_KEY: 'cal_test_unreachable', CALCOM_API_URL: `http://127.0.0.1:${port}`, RECONCILE_INTERVAL_MINUTES: '0' },
    });
    try {
      const res = await apiJson(server, '/api/appointments', { method: 'POST', body: appointmentRequest() });
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('calcom_api_error');
      expect(res.body.error.message).toContain('could not be reached');
      const counts = await storeCounts(server.app.store.db);
      expect(counts.appointments).toBe(0);
      expect(counts.events).toBe(0);
    } finally {
      await server.close();
      await server.location.cleanup();
    }
  });
});

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
