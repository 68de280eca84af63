import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCalcomEmulator, type CalcomEmulator, type CreateBookingInput } from './calcom/index.js';

// Response and webhook bodies are read loosely; the assertions pin down their shape.
type Json = Record<string, any>;

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  json: Json;
}

/** A tiny subscriber: records raw bodies and answers with `status`. */
async function startReceiver(): Promise<{ url: string; received: Received[]; status: number; close(): Promise<void> }> {
  const state = { received: [] as Received[], status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      state.received.push({ headers: req.headers, raw, json: JSON.parse(raw.toString('utf8')) as Json });
      res.writeHead(state.status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/calcom`,
    get received() {
      return state.received;
    },
    get status() {
      return state.status;
    },
    set status(s: number) {
      state.status = s;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SECRET = 'whsec_test_secret';
const FUTURE = '2031-04-01T09:00:00.000Z';

let emu: CalcomEmulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let clock = new Date('2031-03-01T12:00:00.000Z');

beforeAll(async () => {
  emu = await startCalcomEmulator({ now: () => clock });
  receiver = await startReceiver();
});

afterAll(async () => {
  await emu.close();
  await receiver.close();
});

afterEach(() => {
  emu.reset();
  receiver.received.length = 0;
  receiver.status = 200;
  clock = new Date('2031-03-01T12:00:00.000Z');
});

async function api(
  path: string,
  opts: { method?: string; body?: unknown; version?: string | null; key?: string | null } = {},
): Promise<{ status: number; headers: Headers; json: Json }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = opts.key === undefined ? emu.apiKey : opts.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const version = opts.version === undefined ? '2024-08-13' : opts.version;
  if (version !== null) headers['cal-api-version'] = version;
  const res = await fetch(`${emu.url}${path}`, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Json };
}

function bookingBody(overrides: Json = {}): Json {
  return {
    start: FUTURE,
    eventTypeId: 1201,
    attendee: { name: 'Jamie Rivera', email: 'jamie@example.com', timeZone: 'America/New_York' },
    ...overrides,
  };
}

/** Input for the in-process controls (someone booking on the Cal.com page). */
function direct(overrides: Partial<CreateBookingInput> = {}): CreateBookingInput {
  return {
    start: FUTURE,
    eventTypeId: 1201,
    attendee: { name: 'Jamie Rivera', email: 'jamie@example.com', timeZone: 'America/New_York' },
    ...overrides,
  };
}

async function registerWebhook(triggers: string[], extra: Json = {}): Promise<Json> {
  const res = await api('/v2/webhooks', {
    body: { subscriberUrl: receiver.url, active: true, triggers, secret: SECRET, ...extra },
    version: null,
  });
  expect(res.status).toBe(201);
  return res.json.data as Json;
}

function verifies(r: Received, secret = SECRET): boolean {
  const expected = createHmac('sha256', secret).update(r.raw).digest('hex');
  return r.headers['x-cal-signature-256'] === expected;
}

describe('auth and errors', () => {
  it('answers 401 in the v2 error envelope without a bearer key', async () => {
    const res = await api('/v2/bookings', { key: null });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ status: 'error', path: '/v2/bookings', error: { code: 'UnauthorizedException' } });
    expect(typeof res.json.timestamp).toBe('string');
    expect(typeof res.json.error.message).toBe('string');
  });

  it('answers 401 for a wrong key and 200 for the configured one', async () => {
    expect((await api('/v2/bookings', { key: 'cal_wrong' })).status).toBe(401);
    expect((await api('/v2/bookings')).status).toBe(200);
  });

  it('requires cal-api-version 2024-08-13 on booking routes', async () => {
    const res = await api('/v2/bookings', { body: bookingBody(), version: null });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain('2024-08-13');
    expect(emu.bookings).toHaveLength(0);
  });

  it('logs every API request with its status', async () => {
    await api('/v2/bookings', { key: null });
    await api('/v2/bookings?take=5');
    expect(emu.requests.map((r) => [r.method, r.url, r.status])).toEqual([
      ['GET', '/v2/bookings', 401],
      ['GET', '/v2/bookings?take=5', 200],
    ]);
  });
});

describe('POST /v2/bookings', () => {
  it('creates an accepted booking and echoes metadata', async () => {
    const res = await api('/v2/bookings', {
      body: bookingBody({ metadata: { calsync_appointment_id: '12' }, bookingFieldsResponses: { notes: 'Hello' } }),
    });
    expect(res.status).toBe(201);
    const data = res.json.data as Json;
    expect(res.json.status).toBe('success');
    expect(data).toMatchObject({
      status: 'accepted',
      start: FUTURE,
      end: '2031-04-01T09:30:00.000Z',
      duration: 30,
      eventTypeId: 1201,
      metadata: { calsync_appointment_id: '12' },
      hosts: [expect.objectContaining({ email: 'dana@studio.example.com' })],
      attendees: [expect.objectContaining({ email: 'jamie@example.com', timeZone: 'America/New_York', absent: false })],
      createdAt: clock.toISOString(),
      updatedAt: clock.toISOString(),
      description: 'Hello',
    });
    expect(data.uid).toMatch(/^[1-9a-km-zA-HJ-NP-Z]{22}$/);
    expect(data.meetingUrl).toBe(`https://app.cal.com/video/${data.uid}`);
    expect(emu.getBooking(data.uid)?.id).toBe(data.id);
  });

  it('accepts metadata exactly at the limits', async () => {
    const metadata = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`k${String(i).padStart(39, '0')}`, 'v'.repeat(500)]),
    );
    expect((await api('/v2/bookings', { body: bookingBody({ metadata }) })).status).toBe(201);
  });

  it.each([
    ['51 keys', Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))],
    ['a 41-char key', { ['k'.repeat(41)]: 'v' }],
    ['a 501-char value', { note: 'v'.repeat(501) }],
    ['a non-string value', { id: 12 }],
  ])('rejects metadata with %s (400, nothing stored)', async (_name, metadata) => {
    const res = await api('/v2/bookings', { body: bookingBody({ metadata }) });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('BadRequestException');
    expect(res.json.error.message).toContain('metadata');
    expect(emu.bookings).toHaveLength(0);
  });

  it('lists every invalid field at once', async () => {
    const res = await api('/v2/bookings', {
      body: bookingBody({ start: 'next tuesday', attendee: { name: '', email: 'nope', timeZone: 'Mars/Olympus' } }),
    });
    expect(res.status).toBe(400);
    const messages = res.json.error.details.message as string[];
    expect(messages.join('\n')).toMatch(/start/);
    expect(messages.join('\n')).toMatch(/attendee.email/);
    expect(messages.join('\n')).toMatch(/attendee.timeZone/);
    expect(messages.join('\n')).toMatch(/attendee.name/);
  });

  it('404s an unknown event type and 400s a duration it does not offer', async () => {
    const unknown = await api('/v2/bookings', { body: bookingBody({ eventTypeId: 999 }) });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('NotFoundException');
    expect((await api('/v2/bookings', { body: bookingBody({ lengthInMinutes: 45 }) })).status).toBe(400);
    const long = await api('/v2/bookings', { body: bookingBody({ lengthInMinutes: 60 }) });
    expect(long.status).toBe(201);
    expect(long.json.data.end).toBe('2031-04-01T10:00:00.000Z');
  });
});

describe('GET /v2/bookings', () => {
  async function seed(): Promise<Json[]> {
    const out: Json[] = [];
    for (let i = 0; i < 5; i++) {
      clock = new Date(Date.UTC(2031, 2, 1, 12, i));
      const res = await api('/v2/bookings', {
        body: bookingBody({
          start: new Date(Date.UTC(2031, 3, 1 + i, 9)).toISOString(),
          attendee: { name: `Person ${i}`, email: `p${i}@example.com`, timeZone: 'UTC' },
          eventTypeId: i === 4 ? 1202 : 1201,
        }),
      });
      out.push(res.json.data as Json);
    }
    return out;
  }

  it('paginates with take/skip and reports the pagination block', async () => {
    const seeded = await seed();
    const page2 = await api('/v2/bookings?take=2&skip=2');
    expect(page2.status).toBe(200);
    expect((page2.json.data as Json[]).map((b) => b.uid)).toEqual([seeded[2]!.uid, seeded[3]!.uid]);
    expect(page2.json.pagination).toEqual({
      totalItems: 5,
      remainingItems: 1,
      returnedItems: 2,
      itemsPerPage: 2,
      currentPage: 2,
      totalPages: 3,
      hasNextPage: true,
      hasPreviousPage: true,
    });
    const last = await api('/v2/bookings?take=2&skip=4');
    expect(last.json.pagination).toMatchObject({ returnedItems: 1, remainingItems: 0, hasNextPage: false });
    expect((await api('/v2/bookings?take=251')).status).toBe(400);
    expect((await api('/v2/bookings')).json.pagination.itemsPerPage).toBe(100);
  });

  it('filters by attendee, uid, event type, status and timestamps', async () => {
    const seeded = await seed();
    const uids = async (q: string): Promise<string[]> =>
      ((await api(`/v2/bookings?${q}`)).json.data as Json[]).map((b) => b.uid as string);

    expect(await uids('attendeeEmail=P1@example.com')).toEqual([seeded[1]!.uid]);
    expect(await uids(`bookingUid=${seeded[3]!.uid}`)).toEqual([seeded[3]!.uid]);
    expect(await uids('eventTypeId=1202')).toEqual([seeded[4]!.uid]);
    expect(await uids('status=unconfirmed')).toEqual([seeded[4]!.uid]);
    expect(await uids('afterStart=2031-04-04T00:00:00Z')).toEqual([seeded[3]!.uid, seeded[4]!.uid]);
    expect(await uids('beforeEnd=2031-04-02T12:00:00Z')).toEqual([seeded[0]!.uid, seeded[1]!.uid]);
    expect(await uids('afterCreatedAt=2031-03-01T12:03:00Z')).toEqual([seeded[3]!.uid, seeded[4]!.uid]);
    expect((await uids('sortCreated=desc'))[0]).toBe(seeded[4]!.uid);

    clock = new Date('2031-03-02T00:00:00.000Z');
    emu.cancelBooking(seeded[0]!.uid as string, { reason: 'Sick' });
    expect(await uids('status=cancelled')).toEqual([seeded[0]!.uid]);
    expect(await uids('afterUpdatedAt=2031-03-01T23:00:00Z')).toEqual([seeded[0]!.uid]);
    expect(await uids('status=upcoming,cancelled')).toHaveLength(5);
    const cancelled = (await api(`/v2/bookings?bookingUid=${seeded[0]!.uid}`)).json.data[0] as Json;
    expect(cancelled).toMatchObject({ status: 'cancelled', cancellationReason: 'Sick', cancelledByEmail: 'dana@studio.example.com' });

    clock = new Date('2031-04-03T00:00:00.000Z');
    expect(await uids('status=past')).toEqual([seeded[1]!.uid]);
    expect((await api('/v2/bookings?status=later')).status).toBe(400);
  });
});

describe('/v2/webhooks', () => {
  it('creates, lists, reads, patches and deletes', async () => {
    const created = await api('/v2/webhooks', {
      body: { subscriberUrl: receiver.url, active: true, triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'], secret: SECRET },
      version: null,
    });
    expect(created.status).toBe(201);
    const hook = created.json.data as Json;
    expect(hook).toMatchObject({
      subscriberUrl: receiver.url,
      active: true,
      triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'],
      secret: SECRET,
      payloadTemplate: null,
      version: '2021-10-20',
      userId: 7,
    });
    expect(typeof hook.id).toBe('string');

    await registerWebhook(['MEETING_ENDED']);
    const list = await api('/v2/webhooks', { version: null });
    expect((list.json.data as Json[]).map((w) => w.id)).toContain(hook.id);
    expect((await api('/v2/webhooks?take=1&skip=1', { version: null })).json.data).toHaveLength(1);

    expect((await api(`/v2/webhooks/${hook.id}`, { version: null })).json.data.id).toBe(hook.id);
    const patched = await api(`/v2/webhooks/${hook.id}`, { method: 'PATCH', body: { active: false }, version: null });
    expect(patched.status).toBe(200);
    expect(patched.json.data).toMatchObject({ active: false, triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'] });

    expect((await api(`/v2/webhooks/${hook.id}`, { method: 'DELETE', version: null })).status).toBe(200);
    expect((await api(`/v2/webhooks/${hook.id}`, { version: null })).status).toBe(404);
    expect(emu.webhooks.map((w) => w.id)).not.toContain(hook.id);
  });

  it('rejects triggers outside the enum (BOOKING_CONFIRMED, PING) and bad URLs', async () => {
    for (const triggers of [['BOOKING_CONFIRMED'], ['PING'], []]) {
      const res = await api('/v2/webhooks', { body: { subscriberUrl: receiver.url, active: true, triggers }, version: null });
      expect(res.status, JSON.stringify(triggers)).toBe(400);
    }
    const badUrl = await api('/v2/webhooks', {
      body: { subscriberUrl: 'not a url', active: true, triggers: ['BOOKING_CREATED'] },
      version: null,
    });
    expect(badUrl.status).toBe(400);
    expect(emu.webhooks).toHaveLength(0);
  });
});

describe('webhook deliveries', () => {
  it("sends each webhook its own payload version: 2026-07-27 adds the .ics invitations, with that X-Cal-Webhook-Version", async () => {
    await registerWebhook(['BOOKING_CREATED', 'BOOKING_REQUESTED', 'BOOKING_CANCELLED'], { version: '2026-07-27' });
    await registerWebhook(['BOOKING_CREATED']);
    const res = await api('/v2/bookings', { body: bookingBody() });
    await emu.flushDeliveries();
    expect(receiver.received).toHaveLength(2);
    const byVersion = Object.fromEntries(receiver.received.map((r) => [String(r.headers['x-cal-webhook-version']), r]));
    const v2026 = byVersion['2026-07-27']!;
    const v2021 = byVersion['2021-10-20']!;
    expect(verifies(v2026)).toBe(true);
    const payload = v2026.json.payload as Json;
    expect(payload.attendeeIcsContent).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*METHOD:REQUEST[\s\S]*END:VCALENDAR\r\n$/);
    expect(payload.attendeeIcsContent).toContain(`UID:${res.json.data.uid}@Cal.com`);
    expect(payload.organizerIcsContent).toContain('ROLE=CHAIR');
    expect((v2021.json.payload as Json).attendeeIcsContent).toBeUndefined();
    // Apart from the invitations, the two versions say the same.
    const { attendeeIcsContent: _a, organizerIcsContent: _o, ...rest } = payload;
    expect(rest).toEqual(v2021.json.payload);

    receiver.received.length = 0;
    emu.cancelBooking(res.json.data.uid as string);
    await emu.flushDeliveries();
    expect(receiver.received).toHaveLength(1);
    expect((receiver.received[0]!.json.payload as Json).attendeeIcsContent).toContain('METHOD:CANCEL');
  });

  it('echoes an API booking as a signed BOOKING_CREATED carrying the request metadata', async () => {
    await registerWebhook(['BOOKING_CREATED']);
    const res = await api('/v2/bookings', { body: bookingBody({ metadata: { calsync_appointment_id: '12' } }) });
    await emu.flushDeliveries();

    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(verifies(got)).toBe(true);
    expect(verifies(got, 'another-secret')).toBe(false);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-cal-webhook-version']).toBe('2021-10-20');
    expect(got.raw.toString('utf8')).toBe(JSON.stringify(got.json));
    expect(got.json).toMatchObject({
      triggerEvent: 'BOOKING_CREATED',
      payload: {
        uid: res.json.data.uid,
        bookingId: res.json.data.id,
        status: 'ACCEPTED',
        metadata: { calsync_appointment_id: '12', videoCallUrl: res.json.data.meetingUrl },
        responses: { email: { label: 'email_address', value: 'jamie@example.com' } },
      },
    });
    expect(emu.deliveries).toEqual([
      expect.objectContaining({ url: receiver.url, trigger: 'BOOKING_CREATED', status: 200, ok: true, outcome: 'delivered' }),
    ]);
  });

  it('sends only to active webhooks subscribed to the trigger, with no-secret-provided when unsigned', async () => {
    await registerWebhook(['BOOKING_CANCELLED']);
    await registerWebhook(['BOOKING_CREATED'], { active: false });
    await registerWebhook(['BOOKING_CREATED'], { secret: undefined });
    emu.createBookingDirect(direct());
    await emu.flushDeliveries();
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers['x-cal-signature-256']).toBe('no-secret-provided');
  });

  it('reschedule: new uid, old booking cancelled and linked, one BOOKING_RESCHEDULED and no CANCELLED', async () => {
    await registerWebhook(['BOOKING_RESCHEDULED', 'BOOKING_CANCELLED']);
    const original = emu.createBookingDirect(direct({ metadata: { calsync_appointment_id: '7' } }));
    const moved = emu.rescheduleBooking(original.uid, '2031-04-08T15:00:00.000Z', { reason: 'Trip' });
    await emu.flushDeliveries();

    expect(moved.uid).not.toBe(original.uid);
    expect(moved).toMatchObject({ status: 'accepted', rescheduledFromUid: original.uid, start: '2031-04-08T15:00:00.000Z' });
    expect(emu.getBooking(original.uid)).toMatchObject({ status: 'cancelled', rescheduledToUid: moved.uid });
    expect(receiver.received.map((r) => r.json.triggerEvent)).toEqual(['BOOKING_RESCHEDULED']);
    expect(receiver.received[0]!.json.payload).toMatchObject({
      uid: moved.uid,
      bookingId: moved.id,
      rescheduleUid: original.uid,
      rescheduleId: original.id,
      rescheduleStartTime: '2031-04-01T09:00:00Z',
      startTime: '2031-04-08T15:00:00Z',
      metadata: { calsync_appointment_id: '7' },
    });
    expect(verifies(receiver.received[0]!)).toBe(true);
  });

  it('a reschedule of an event type needing confirmation is announced as BOOKING_REQUESTED', async () => {
    await registerWebhook(['BOOKING_REQUESTED', 'BOOKING_CREATED', 'BOOKING_RESCHEDULED']);
    const b = emu.createBookingDirect(direct({ eventTypeId: 1202 }));
    emu.confirmBooking(b.uid);
    const moved = emu.rescheduleBooking(b.uid, '2031-04-09T10:00:00.000Z');
    await emu.flushDeliveries();
    expect(receiver.received.map((r) => [r.json.triggerEvent, r.json.payload.status])).toEqual([
      ['BOOKING_REQUESTED', 'PENDING'],
      ['BOOKING_CREATED', 'ACCEPTED'],
      ['BOOKING_REQUESTED', 'PENDING'],
    ]);
    expect(receiver.received[2]!.json.payload).toMatchObject({ uid: moved.uid, rescheduleUid: b.uid });
  });

  it('cancel sends BOOKING_CANCELLED without metadata, or nothing with sendWebhook false', async () => {
    await registerWebhook(['BOOKING_CANCELLED']);
    const a = emu.createBookingDirect(direct({ metadata: { calsync_appointment_id: '3' } }));
    const b = emu.createBookingDirect(direct());
    emu.cancelBooking(a.uid, { reason: 'Sick', cancelledBy: 'jamie@example.com' });
    emu.cancelBooking(b.uid, { sendWebhook: false });
    await emu.flushDeliveries();
    expect(receiver.received).toHaveLength(1);
    const p = receiver.received[0]!.json.payload as Json;
    expect(p).toMatchObject({ uid: a.uid, status: 'CANCELLED', cancellationReason: 'Sick', cancelledBy: 'jamie@example.com' });
    expect(p.startTime).toBe('2031-04-01T09:00:00+00:00');
    expect(p).not.toHaveProperty('metadata');
    expect(emu.getBooking(b.uid)?.status).toBe('cancelled');
  });

  it('lost webhook mode drops deliveries but logs them; on again delivers', async () => {
    await registerWebhook(['BOOKING_CREATED']);
    emu.setWebhookDelivery('drop');
    const lost = emu.createBookingDirect(direct());
    emu.setWebhookDelivery('on');
    const kept = emu.createBookingDirect(direct());
    await emu.flushDeliveries();
    expect(receiver.received.map((r) => r.json.payload.uid)).toEqual([kept.uid]);
    expect(emu.deliveries.map((d) => [d.bookingUid, d.outcome, d.status])).toEqual([
      [lost.uid, 'dropped', null],
      [kept.uid, 'delivered', 200],
    ]);
    expect((await api(`/v2/bookings?bookingUid=${lost.uid}`)).json.data).toHaveLength(1);
  });

  it('makes one attempt only: a 500 from the receiver is logged, not retried', async () => {
    await registerWebhook(['BOOKING_CREATED']);
    receiver.status = 500;
    emu.createBookingDirect(direct());
    await emu.flushDeliveries();
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received).toHaveLength(1);
    expect(emu.deliveries[0]).toMatchObject({ status: 500, ok: false, outcome: 'delivered' });
  });

  it('sends MEETING_ENDED flat, and PING to one webhook whatever its triggers', async () => {
    const hook = await registerWebhook(['MEETING_ENDED']);
    const b = emu.createBookingDirect(direct());
    emu.sendMeetingEvent(b.uid, 'MEETING_ENDED');
    emu.ping(hook.id as string);
    await emu.flushDeliveries();
    const [ended, ping] = receiver.received;
    expect(ended!.json).toMatchObject({ triggerEvent: 'MEETING_ENDED', uid: b.uid, id: b.id, status: 'ACCEPTED' });
    expect(ended!.json).not.toHaveProperty('payload');
    expect(ping!.json).toMatchObject({ triggerEvent: 'PING', payload: { type: 'Test' } });
    expect(verifies(ended!) && verifies(ping!)).toBe(true);
  });
});

describe('fault injection', () => {
  it("failNext answers 429 as Cal.com's throttler does (X-RateLimit headers, no Retry-After), then recovers", async () => {
    emu.failNext(2, 429, { retryAfterSeconds: 3 });
    const first = await api('/v2/bookings');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(first.headers.get('x-ratelimit-remaining-default')).toBe('0');
    expect(first.headers.get('x-ratelimit-reset-default')).toBe('3');
    expect(first.json).toMatchObject({ status: 'error', error: { code: 'ThrottlerException' } });
    expect((await api('/v2/bookings')).status).toBe(429);
    expect((await api('/v2/bookings')).status).toBe(200);
  });

  it('a 429 on create stores nothing and sends no webhook', async () => {
    await registerWebhook(['BOOKING_CREATED']);
    emu.failNext(1);
    expect((await api('/v2/bookings', { body: bookingBody() })).status).toBe(429);
    await emu.flushDeliveries();
    expect(emu.bookings).toHaveLength(0);
    expect(receiver.received).toHaveLength(0);
  });

  it('rate limit: the request over the limit gets 429 with X-RateLimit headers and no Retry-After until the window passes', async () => {
    emu.setRateLimit({ limit: 2, windowMs: 60_000 });
    expect((await api('/v2/bookings')).status).toBe(200);
    const second = await api('/v2/bookings');
    expect(second.headers.get('x-ratelimit-remaining-default')).toBe('0');
    const third = await api('/v2/bookings');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBeNull();
    expect(Number(third.headers.get('x-ratelimit-reset-default'))).toBeGreaterThanOrEqual(1);
    clock = new Date(clock.getTime() + 61_000);
    expect((await api('/v2/bookings')).status).toBe(200);
  });

  it('by default allows 120 requests a minute per key, like Cal.com, and says so on every answer', async () => {
    const first = await api('/v2/bookings');
    expect(first.headers.get('x-ratelimit-limit-default')).toBe('120');
    expect(first.headers.get('x-ratelimit-remaining-default')).toBe('119');
    expect(first.headers.get('x-ratelimit-reset-default')).toBe('60');
    for (let i = 0; i < 119; i++) expect((await api('/v2/bookings')).status).toBe(200);
    const over = await api('/v2/bookings');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBeNull();
    clock = new Date(clock.getTime() + 60_000);
    expect((await api('/v2/bookings')).status).toBe(200);
  });

  it('a reset can be sent as a Unix time', async () => {
    emu.setRateLimit({ limit: 5, windowMs: 60_000, resetAs: 'unix' });
    const res = await api('/v2/bookings');
    expect(Number(res.headers.get('x-ratelimit-reset-default'))).toBe(Math.ceil((clock.getTime() + 60_000) / 1000));
  });

  it('pages GET /v2/bookings by updatedAt: afterUpdatedAt, sortUpdatedAt, take and skip', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock = new Date(clock.getTime() + 1_000);
      made.push(emu.createBookingDirect({ eventTypeId: 1201, start: `2031-09-0${i + 1}T09:00:00Z`, attendee: { name: 'A', email: 'a@example.com', timeZone: 'UTC' } }).uid);
    }
    // The first booking changes last.
    clock = new Date(clock.getTime() + 1_000);
    emu.cancelBooking(made[0]!, { sendWebhook: false });
    // Updated at -5 s .. -1 s (the five creations) and now (the cancellation): from -3.5 s, skip two, take two.
    const after = new Date(clock.getTime() - 3_500).toISOString();
    const page = await api(`/v2/bookings?afterUpdatedAt=${encodeURIComponent(after)}&sortUpdatedAt=asc&take=2&skip=2`);
    expect(page.status).toBe(200);
    expect((page.json as { data: { uid: string }[] }).data.map((b) => b.uid)).toEqual([made[4], made[0]]);
  });

  it('a standing fault answers every request with that status until cleared', async () => {
    emu.setFault(503);
    expect((await api('/v2/bookings')).status).toBe(503);
    expect((await api('/v2/webhooks', { version: null })).status).toBe(503);
    emu.setFault(null);
    expect((await api('/v2/bookings')).status).toBe(200);
  });
});
