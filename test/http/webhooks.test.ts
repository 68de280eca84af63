// The webhook front door over real HTTP, on both stores: signatures, refusals, every trigger, duplicates,
// parked events. Every refusal is checked to have stored nothing; no request may ever get a 5xx.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid, SAMPLE_TRIGGERS, signCalcomBody, type SampleOptions, type SampleTrigger } from '../../src/calcom/samples.js';
import { TRIGGER_HANDLING } from '../../src/calcom/triggers.js';
import { appointmentsByUid, getJson, pollUntil, postRaw, readJson, signedHeaders, type JsonReply } from '../support/http-client.js';
import { startTestServer, TEST_WEBHOOK_SECRET, type TestServer } from '../support/server.js';
import { eventRowsForUid, lastRejectedDeliveryId, rejectedDeliveriesSince, storeCounts } from '../support/store-peek.js';
import { STORE_KINDS } from '../support/stores.js';

const ROTATED_SECRET = 'whsec_rotated_secret_2';
const PATHS = ['/webhooks/calcom', '/api/cal/handle-cal-event'] as const;
const FIXTURES_DIR = path.join(import.meta.dirname, '..', 'fixtures', 'calcom');
const ONE_MIB = 1024 * 1024;

/** What each trigger that changes an appointment answers as `action`. */
const EXPECTED_ACTION: Partial<Record<SampleTrigger, string>> = {
  BOOKING_CREATED: 'created',
  BOOKING_REQUESTED: 'requested',
  BOOKING_RESCHEDULED: 'rescheduled',
  BOOKING_CANCELLED: 'cancelled',
  BOOKING_REJECTED: 'rejected',
  BOOKING_PAYMENT_INITIATED: 'payment_initiated',
  BOOKING_PAID: 'paid',
  BOOKING_NO_SHOW_UPDATED: 'no_show',
  MEETING_STARTED: 'started',
  MEETING_ENDED: 'completed',
  BOOKING_CONFIRMED: 'confirmed',
};

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as Record<string, unknown>;
}

describe.each(STORE_KINDS)('webhook intake over HTTP (%s)', (kind) => {
  let server: TestServer;
  const replies: { what: string; status: number }[] = [];
  let uidCounter = 0;
  const freshUid = (label: string) => makeBookingUid(`webhooks:${kind}:${label}:${uidCounter++}`);

  /** Posts exact bytes and remembers the status for the no-5xx check. */
  async function post(what: string, raw: string | Buffer, headers: Record<string, string>, p: string = PATHS[0]): Promise<JsonReply> {
    const reply = await postRaw(server.url, p, raw, headers);
    replies.push({ what, status: reply.status });
    return reply;
  }

  async function send(what: string, body: unknown, opts: { secret?: string; path?: string } = {}): Promise<JsonReply> {
    const raw = JSON.stringify(body);
    return post(what, raw, signedHeaders(raw, { secret: opts.secret }), opts.path);
  }

  function created(opts: SampleOptions = {}) {
    return buildCalcomBody('BOOKING_CREATED', { uid: freshUid('created'), ...opts });
  }

  function uidOf(body: Record<string, unknown>): string {
    return (body.payload as { uid: string }).uid;
  }

  beforeAll(async () => {
    server = await startTestServer({ kind, env: { CAL_WEBHOOK_SECRET: `${TEST_WEBHOOK_SECRET},${ROTATED_SECRET}` } });
  });

  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
  });

  describe('signatures', () => {
    const ACCEPTED: [string, (raw: string) => { raw: string; signature: string }][] = [
      ['plain lowercase hex (what Cal.com sends)', (raw) => ({ raw, signature: signCalcomBody(raw, TEST_WEBHOOK_SECRET) })],
      ['a sha256= prefix', (raw) => ({ raw, signature: `sha256=${signCalcomBody(raw, TEST_WEBHOOK_SECRET)}` })],
      ['uppercase hex', (raw) => ({ raw, signature: signCalcomBody(raw, TEST_WEBHOOK_SECRET).toUpperCase() })],
      ['a pretty-printed body signed in its minified form', (raw) => ({ raw: JSON.stringify(JSON.parse(raw), null, 2), signature: signCalcomBody(raw, TEST_WEBHOOK_SECRET) })],
      ['the second secret of a rotation list', (raw) => ({ raw, signature: signCalcomBody(raw, ROTATED_SECRET) })],
    ];

    describe.each(PATHS)('on %s', (p) => {
      it.each(ACCEPTED)('accepts %s', async (_name, variant) => {
        const body = created();
        const { raw, signature } = variant(JSON.stringify(body));
        const reply = await post(`accepted ${_name}`, raw, signedHeaders(raw, { signature }), p);
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ status: 'processed', action: 'created', appointment_id: expect.any(Number) });
        const [appointment] = await appointmentsByUid(server, uidOf(body));
        expect(appointment?.id).toBe(reply.body.appointment_id);
      });
    });

    it('keeps which secret and which form of the body matched, never the signature', async () => {
      const body = created();
      const compact = JSON.stringify(body);
      const pretty = JSON.stringify(body, null, 2);
      await post('rotated pretty', pretty, signedHeaders(pretty, { signature: signCalcomBody(compact, ROTATED_SECRET) }));
      const [row] = await eventRowsForUid(server.app.store.db, uidOf(body));
      const headers = JSON.parse(row?.headers ?? '{}') as Record<string, string>;
      expect(headers).toMatchObject({ 'signature-variant': 'minified', 'signature-secret-index': '1', 'content-type': 'application/json' });
      expect(JSON.stringify(headers)).not.toContain(signCalcomBody(compact, ROTATED_SECRET));
      // What the signature covered is kept: the minified form, not the received bytes (issue 11 item 8).
      expect(row?.raw_body).toBe(compact);
    });

    const REFUSED: [string, (raw: string) => { raw: string; headers: Record<string, string> }][] = [
      ['no signature header', (raw) => ({ raw, headers: { 'content-type': 'application/json' } })],
      ['an empty signature header', (raw) => ({ raw, headers: signedHeaders(raw, { signature: '' }) })],
      ['"no-secret-provided"', (raw) => ({ raw, headers: signedHeaders(raw, { signature: 'no-secret-provided' }) })],
      ['a signature made with a wrong secret', (raw) => ({ raw, headers: signedHeaders(raw, { secret: 'whsec_not_ours_at_all' }) })],
      ['a signature of another body', (raw) => ({ raw, headers: signedHeaders(raw, { signature: signCalcomBody(raw + ' ', TEST_WEBHOOK_SECRET) }) })],
      [
        'a body changed after signing',
        (raw) => ({ raw: raw.replace('"BOOKING_CREATED"', '"BOOKING_CANCELLED"'), headers: signedHeaders(raw) }),
      ],
      [
        'a pretty-printed body changed after signing',
        (raw) => {
          const changed = JSON.stringify({ ...JSON.parse(raw), createdAt: '2031-01-01T00:00:00.000Z' }, null, 2);
          return { raw: changed, headers: signedHeaders(changed, { signature: signCalcomBody(raw, TEST_WEBHOOK_SECRET) }) };
        },
      ],
      ['a truncated signature (63 hex digits)', (raw) => ({ raw, headers: signedHeaders(raw, { signature: signCalcomBody(raw, TEST_WEBHOOK_SECRET).slice(0, 63) }) })],
      ['a half signature (32 hex digits)', (raw) => ({ raw, headers: signedHeaders(raw, { signature: signCalcomBody(raw, TEST_WEBHOOK_SECRET).slice(0, 32) }) })],
      ['a signature with a digit appended', (raw) => ({ raw, headers: signedHeaders(raw, { signature: signCalcomBody(raw, TEST_WEBHOOK_SECRET) + '0' }) })],
      ['a bare sha256= prefix', (raw) => ({ raw, headers: signedHeaders(raw, { signature: 'sha256=' }) })],
      ['64 characters that are not hex', (raw) => ({ raw, headers: signedHeaders(raw, { signature: 'z'.repeat(64) }) })],
      [
        'one flipped digit',
        (raw) => {
          const sig = signCalcomBody(raw, TEST_WEBHOOK_SECRET);
          return { raw, headers: signedHeaders(raw, { signature: (sig[0] === '0' ? '1' : '0') + sig.slice(1) }) };
        },
      ],
      ['a signature of the secret itself', (raw) => ({ raw, headers: signedHeaders(raw, { signature: signCalcomBody(TEST_WEBHOOK_SECRET, TEST_WEBHOOK_SECRET) }) })],
    ];

    describe.each(PATHS)('on %s', (p) => {
      it.each(REFUSED)('refuses %s with 401 invalid_signature and stores nothing', async (name, variant) => {
        const before = await storeCounts(server.app.store.db);
        const body = created();
        const { raw, headers } = variant(JSON.stringify(body));
        const reply = await post(`refused ${name}`, raw, headers, p);
        expect(reply.status).toBe(401);
        expect(reply.body).toEqual({ status: 'error', error: { code: 'invalid_signature', message: expect.any(String) } });
        expect(await appointmentsByUid(server, uidOf(body))).toEqual([]);
        expect(await eventRowsForUid(server.app.store.db, uidOf(body))).toEqual([]);
        // Unsigned requests are not even kept as rejected deliveries: anyone could send them.
        expect(await storeCounts(server.app.store.db)).toEqual(before);
      });
    });

    it('refuses unsigned requests before reading them: bad JSON without a signature is still a 401', async () => {
      const reply = await post('unsigned garbage', '{not json', { 'content-type': 'application/json' });
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('invalid_signature');
    });
  });

  describe('refusals of signed deliveries', () => {
    /** Sends a signed delivery that must be refused, and checks that only a rejected-delivery row was written. */
    async function expectRefused(what: string, raw: string | Buffer, headers: Record<string, string>, status: number, code: string): Promise<JsonReply> {
      const before = await storeCounts(server.app.store.db);
      const lastRejected = await lastRejectedDeliveryId(server.app.store.db);
      const reply = await post(what, raw, headers);
      expect(reply.status).toBe(status);
      expect(reply.body).toMatchObject({ status: 'error', error: { code, message: expect.any(String) } });
      // The rejection is recorded off the request path; wait for it, then compare everything else.
      const rejected = await pollUntil(async () => {
        const rows = await rejectedDeliveriesSince(server.app.store.db, lastRejected);
        return rows.length > 0 ? rows : undefined;
      }, `the rejected delivery of ${what}`);
      expect(rejected.map((r) => r.code)).toEqual([code]);
      const after = await storeCounts(server.app.store.db);
      expect(after).toEqual({ ...before, rejectedDeliveries: before.rejectedDeliveries + 1 });
      return reply;
    }

    it('a body over 1 MiB: 413 payload_too_large, nothing stored', async () => {
      const body = created({ notes: 'x'.repeat(ONE_MIB + 10) });
      const raw = JSON.stringify(body);
      expect(Buffer.byteLength(raw)).toBeGreaterThan(ONE_MIB);
      const before = await storeCounts(server.app.store.db);
      const reply = await post('oversize', raw, signedHeaders(raw));
      expect(reply.status).toBe(413);
      expect(reply.body).toMatchObject({ status: 'error', error: { code: 'payload_too_large' } });
      expect(await appointmentsByUid(server, uidOf(body))).toEqual([]);
      expect((await storeCounts(server.app.store.db)).events).toBe(before.events);
      expect((await storeCounts(server.app.store.db)).appointments).toBe(before.appointments);
    });

    it('a body just under 1 MiB is accepted', async () => {
      const base = created();
      // The notes appear three times in a body (description, additionalNotes, responses.notes).
      const filler = Math.floor((ONE_MIB - Buffer.byteLength(JSON.stringify(base)) - 600) / 3);
      const body = created({ uid: uidOf(base), notes: 'n'.repeat(filler) });
      const raw = JSON.stringify(body);
      expect(Buffer.byteLength(raw)).toBeLessThan(ONE_MIB);
      expect(Buffer.byteLength(raw)).toBeGreaterThan(ONE_MIB - 2000);
      const reply = await post('just under the limit', raw, signedHeaders(raw));
      expect(reply.status).toBe(200);
    });

    it.each([
      ['not JSON at all', 'this is not json'],
      ['truncated JSON', '{"triggerEvent":"BOOKING_CREATED","payload":{"uid":"abc"'],
      ['an empty body', ''],
    ])('%s: 400 invalid_json', async (what, raw) => {
      await expectRefused(what, raw, signedHeaders(raw), 400, 'invalid_json');
    });

    it.each([
      ['text/plain', 'text/plain'],
      ['form-encoded (a Cal.com payload template that is not JSON)', 'application/x-www-form-urlencoded'],
      ['XML', 'application/xml'],
    ])('Content-Type %s: 415 unsupported_media_type', async (_what, contentType) => {
      const raw = JSON.stringify(created());
      await expectRefused(`content-type ${contentType}`, raw, signedHeaders(raw, { contentType }), 415, 'unsupported_media_type');
    });

    it('no Content-Type at all: 415 unsupported_media_type', async () => {
      const raw = JSON.stringify(created());
      await expectRefused('no content-type', raw, signedHeaders(raw, { contentType: null }), 415, 'unsupported_media_type');
    });

    it('application/json with a charset is JSON', async () => {
      const raw = JSON.stringify(created());
      const reply = await post('json with charset', raw, signedHeaders(raw, { contentType: 'application/json; charset=utf-8' }));
      expect(reply.status).toBe(200);
    });

    it.each(['BOOKING_EXPLODED', 'booking_created', 'BOOKING_COMPLETED', 'BOOKING_NO_SHOW'])('unknown trigger %s: 400 unsupported_event', async (trigger) => {
      const body = { ...created(), triggerEvent: trigger };
      const raw = JSON.stringify(body);
      await expectRefused(`trigger ${trigger}`, raw, signedHeaders(raw), 400, 'unsupported_event');
    });

    const INVALID: [string, () => unknown, string[]][] = [
      ['a start time that is not a time', () => patch(created(), { startTime: 'next tuesday' }), ['payload.startTime']],
      ['no uid', () => drop(created(), 'uid'), ['payload.uid']],
      ['an attendee without a usable email', () => patch(created(), { attendees: [{ name: 'Jamie', email: 'not-an-email' }] }), ['payload.attendees.0.email']],
      ['an end before the start', () => patch(created(), { startTime: '2031-03-12T15:00:00Z', endTime: '2031-03-12T14:00:00Z' }), ['payload.endTime']],
      ['a creation without times', () => drop(drop(created(), 'startTime'), 'endTime'), ['payload.startTime', 'payload.endTime']],
      ['no triggerEvent', () => ({ createdAt: '2031-03-01T10:00:00.000Z', payload: {} }), ['triggerEvent']],
      ['a numeric triggerEvent', () => ({ triggerEvent: 7, payload: {} }), ['triggerEvent']],
      ['an array body', () => [created()], ['']],
      ['a no-show update without the booking uid', () => ({ triggerEvent: 'BOOKING_NO_SHOW_UPDATED', payload: { attendees: [] } }), ['payload.bookingUid']],
    ];
    it.each(INVALID)('%s: 422 validation_error naming the failing fields', async (what, build, fields) => {
      const raw = JSON.stringify(build());
      const reply = await expectRefused(what, raw, signedHeaders(raw), 422, 'validation_error');
      const paths = (reply.body.error.details.issues as { path: string }[]).map((i) => i.path);
      for (const field of fields) expect(paths).toContain(field);
      for (const field of fields.filter((f) => f !== '')) expect(reply.body.error.message).toContain(field);
    });

    it('a deeply nested body without a valid signature is a 401, not a crash of the minified-body fallback', async () => {
      const depth = 100_000;
      const raw = `{"triggerEvent":"PING","payload":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const before = await storeCounts(server.app.store.db);
      const reply = await post('unsigned deep body', raw, signedHeaders(raw, { signature: 'ab'.repeat(32) }));
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('invalid_signature');
      expect(await storeCounts(server.app.store.db)).toEqual(before);
    });

    it('a signed, deeply nested body: 422 validation_error', async () => {
      const depth = 100_000;
      const body = JSON.stringify(created()).replace('"metadata":{', `"metadata":{"deep":${'['.repeat(depth)}${']'.repeat(depth)},`);
      const reply = await expectRefused('signed deep body', body, signedHeaders(body), 422, 'validation_error');
      expect(reply.body.error.details.issues[0].path).toMatch(/^payload\.metadata\.deep/);
    });

    const NUL_CASES: [string, () => unknown, string][] = [
      ['a NUL character in the title', () => created({ title: 'Intro\u0000call' }), 'payload.title'],
      ['a NUL character in a no-show uid', () => buildCalcomBody('BOOKING_NO_SHOW_UPDATED', { uid: 'bad\u0000uid' }), 'payload.bookingUid'],
      ['a NUL character in a metadata key', () => created({ metadata: { 'a\u0000b': '1' } }), 'payload.metadata'],
    ];
    it.each(NUL_CASES)('%s: 422 naming the field (PostgreSQL text cannot hold it)', async (what, build, field) => {
      const raw = JSON.stringify(build());
      const reply = await expectRefused(what, raw, signedHeaders(raw), 422, 'validation_error');
      expect(reply.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([field]);
    });
  });

  describe('values at the edge of what the store holds', () => {
    it('ids up to 2^53 - 1 are stored as given', async () => {
      const body = created({ bookingId: 3_000_000_000, eventTypeId: Number.MAX_SAFE_INTEGER });
      const reply = await send('big ids', body);
      expect(reply.status).toBe(200);
      const [appointment] = await appointmentsByUid(server, uidOf(body));
      expect(appointment).toMatchObject({ calcom_booking_id: 3_000_000_000, event_type_id: Number.MAX_SAFE_INTEGER });
    });

    it('a long uid (as long as the read API looks up) and far-away dates are stored as given', async () => {
      const uid = 'u'.repeat(200);
      const reply = await send('long uid', created({ uid, startTime: '9999-12-31T23:00:00Z', endTime: '9999-12-31T23:30:00Z' }));
      expect(reply.status).toBe(200);
      expect((await appointmentsByUid(server, uid))[0]).toMatchObject({ start_time: '9999-12-31T23:00:00.000Z' });
    });

    it('non-ASCII text survives byte for byte', async () => {
      const body = created({ title: 'Séance 🧘 with Zoë — 東京', notes: 'Ünïcödé\nsecond line' });
      expect((await send('unicode', body)).status).toBe(200);
      expect((await appointmentsByUid(server, uidOf(body)))[0]).toMatchObject({ title: 'Séance 🧘 with Zoë — 東京', notes: 'Ünïcödé\nsecond line' });
    });
  });

  describe('every trigger', () => {
    const eventTriggers = SAMPLE_TRIGGERS.filter((t) => TRIGGER_HANDLING[t].handle === 'event');
    const skipTriggers = SAMPLE_TRIGGERS.filter((t) => TRIGGER_HANDLING[t].handle === 'skip');

    it('the table of expected actions covers exactly the triggers that change appointments', () => {
      expect(Object.keys(EXPECTED_ACTION).sort()).toEqual([...eventTriggers].sort());
      expect(skipTriggers).toContain('PING');
    });

    it.each(eventTriggers)('%s is processed with its action', async (trigger) => {
      const uid = freshUid(trigger);
      if (trigger === 'BOOKING_NO_SHOW_UPDATED') {
        // A no-show update cannot build a booking: the booking comes first.
        expect((await send('booking for no-show', buildCalcomBody('BOOKING_CREATED', { uid }))).status).toBe(200);
      }
      const reply = await send(trigger, buildCalcomBody(trigger, { uid }));
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ status: 'processed', action: EXPECTED_ACTION[trigger], appointment_id: expect.any(Number), event_id: expect.any(Number) });
      expect(reply.body.duplicate).toBeUndefined();
      const found = await appointmentsByUid(server, uid);
      expect(found.map((a) => a.id)).toEqual([reply.body.appointment_id]);
    });

    it.each(['MEETING_STARTED', 'MEETING_ENDED'] as const)('%s in the newer nested form is processed too', async (trigger) => {
      const uid = freshUid(`${trigger}-nested`);
      const reply = await send(`${trigger} nested`, buildCalcomBody(trigger, { uid, meetingForm: 'nested' }));
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ status: 'processed', action: EXPECTED_ACTION[trigger] });
    });

    it.each(skipTriggers)('%s is answered 200 skipped and changes no appointment', async (trigger) => {
      const uid = freshUid(trigger);
      const before = await storeCounts(server.app.store.db);
      const reply = await send(trigger, buildCalcomBody(trigger, { uid }));
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ status: 'skipped', reason: expect.any(String), event_id: expect.any(Number) });
      expect(reply.body.reason.length).toBeGreaterThan(0);
      expect(await appointmentsByUid(server, uid)).toEqual([]);
      const after = await storeCounts(server.app.store.db);
      expect(after.appointments).toBe(before.appointments);
      // Accepted deliveries are logged even when they change nothing.
      expect(after.events).toBe(before.events + 1);
    });

    it('every fixture is answered 2xx, or 404 for the no-show of a booking not yet seen', async () => {
      const files = fs.readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.json')).sort();
      expect(files.length).toBeGreaterThan(30);
      for (const file of files) {
        const reply = await send(`fixture ${file}`, fixture(file));
        if (file === 'booking_no_show_updated.json' && reply.status === 404) {
          expect(reply.body.error.code).toBe('booking_not_found');
          continue;
        }
        expect({ file, status: reply.status }).toEqual({ file, status: 200 });
        expect(['processed', 'skipped']).toContain(reply.body.status);
      }
    });
  });

  describe('duplicates', () => {
    it('a repeated delivery answers like the first with duplicate: true and changes nothing', async () => {
      const body = created();
      const first = await send('original', body);
      expect(first.status).toBe(200);
      const before = (await getJson(server, `/api/appointments/${first.body.appointment_id}`)).body;
      const countsBefore = await storeCounts(server.app.store.db);

      const again = await send('exact repeat', body);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ...first.body, duplicate: true });

      // Cal.com stamps createdAt at send time, so a retry differs from the original there.
      const retried = await send('retry with a new send time', { ...body, createdAt: new Date().toISOString() });
      expect(retried.body).toEqual({ ...first.body, duplicate: true });

      // A proxy that re-formats the JSON still delivers the same event.
      const compact = JSON.stringify(body);
      const pretty = JSON.stringify(body, null, 4);
      const reformatted = await post('pretty repeat', pretty, signedHeaders(pretty, { signature: signCalcomBody(compact, TEST_WEBHOOK_SECRET) }));
      expect(reformatted.body).toEqual({ ...first.body, duplicate: true });

      const after = (await getJson(server, `/api/appointments/${first.body.appointment_id}`)).body;
      expect(after.version).toBe(before.version);
      expect(after).toEqual(before);
      expect(await storeCounts(server.app.store.db)).toEqual(countsBefore);
      const [row] = await eventRowsForUid(server.app.store.db, uidOf(body));
      expect(row?.duplicate_count).toBe(3);
    });

    it('a late repeat of the creation does not reopen a cancelled booking', async () => {
      const body = created();
      const uid = uidOf(body);
      const first = await send('create', body);
      const cancel = await send('cancel', buildCalcomBody('BOOKING_CANCELLED', { uid }));
      expect(cancel.body).toMatchObject({ status: 'processed', action: 'cancelled', appointment_id: first.body.appointment_id });
      const version = (await appointmentsByUid(server, uid))[0].version;
      const repeat = await send('late repeat', body);
      expect(repeat.body).toEqual({ ...first.body, duplicate: true });
      const [after] = await appointmentsByUid(server, uid);
      expect(after).toMatchObject({ status: 'cancelled', version });
    });

    it('a repeated skipped trigger is a duplicate too', async () => {
      const ping = fixture('ping.json');
      const first = await send('ping', ping);
      const again = await send('ping again', { ...ping, createdAt: '2031-12-31T23:59:59.000Z' });
      expect(first.body.status).toBe('skipped');
      expect(again.body).toEqual({ ...first.body, duplicate: true });
    });

    it('concurrent copies of one delivery make one event and one appointment', async () => {
      const body = created();
      const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => send(`concurrent copy ${i}`, body)));
      expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(new Set(replies.map((r) => r.body.appointment_id)).size).toBe(1);
      expect(replies.filter((r) => r.body.duplicate !== true)).toHaveLength(1);
      expect(await eventRowsForUid(server.app.store.db, uidOf(body))).toHaveLength(1);
      expect(await appointmentsByUid(server, uidOf(body))).toHaveLength(1);
    });
  });

  describe('events for a booking not yet seen', () => {
    it('a no-show update first is 404 booking_not_found, kept, and applied when the booking arrives', async () => {
      const uid = freshUid('parked');
      const attendeeEmail = 'jamie.rivera@example.com';
      const noShow = buildCalcomBody('BOOKING_NO_SHOW_UPDATED', { uid, noShow: [{ email: attendeeEmail, noShow: true }] });

      const parked = await send('no-show first', noShow);
      expect(parked.status).toBe(404);
      expect(parked.body).toMatchObject({ status: 'error', error: { code: 'booking_not_found', message: expect.stringContaining(uid) }, event_id: expect.any(Number) });
      expect(await appointmentsByUid(server, uid)).toEqual([]);

      const parkedAgain = await send('no-show again', noShow);
      expect(parkedAgain.status).toBe(404);
      expect(parkedAgain.body.event_id).toBe(parked.body.event_id);

      const creation = await send('creation after the no-show', buildCalcomBody('BOOKING_CREATED', { uid, attendee: { email: attendeeEmail } }));
      expect(creation.status).toBe(200);
      expect(creation.body).toMatchObject({ status: 'processed', action: 'created' });

      const [appointment] = await appointmentsByUid(server, uid);
      expect(appointment).toMatchObject({ status: 'accepted', no_show: true, attendees: [{ email: attendeeEmail, no_show: true }] });

      // The parked event now belongs to the appointment: its repeat is a plain duplicate.
      const late = await send('no-show once more', noShow);
      expect(late.status).toBe(200);
      expect(late.body).toMatchObject({ status: 'processed', action: 'no_show', appointment_id: appointment.id, event_id: parked.body.event_id, duplicate: true });
    });

    it('a {uid}-only cancellation first is 404, and the booking ends cancelled once it arrives', async () => {
      const uid = freshUid('bare-cancel');
      const bare = { triggerEvent: 'BOOKING_CANCELLED', createdAt: '2031-03-07T11:02:55.870Z', payload: { uid, cancellationReason: 'Feeling unwell' } };
      const first = await send('bare cancel first', bare);
      expect(first.status).toBe(404);
      expect(first.body.error.code).toBe('booking_not_found');
      const creation = await send('creation after cancel', buildCalcomBody('BOOKING_CREATED', { uid, createdAt: '2031-03-01T09:00:00.000Z' }));
      expect(creation.status).toBe(200);
      const [appointment] = await appointmentsByUid(server, uid);
      expect(appointment).toMatchObject({ status: 'cancelled', cancellation_reason: 'Feeling unwell', title: expect.any(String), start_time: expect.any(String) });
    });
  });

  describe('robustness', () => {
    it('no request in this suite was answered with a 5xx', () => {
      expect(replies.length).toBeGreaterThan(50);
      expect(replies.filter((r) => r.status >= 500)).toEqual([]);
    });

    it('the server still serves after all that bad input', async () => {
      const health = await readJson(await fetch(server.url + '/healthz'));
      expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
      const ready = await readJson(await fetch(server.url + '/readyz'));
      expect(ready).toMatchObject({ status: 200, body: { status: 'ready', store: kind } });
      const reply = await send('still alive', created());
      expect(reply.status).toBe(200);
    });

    it('logged no error', () => {
      expect(server.logs.filter((l) => typeof l.level === 'number' && l.level >= 50)).toEqual([]);
    });
  });
});

function patch(body: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  return { ...body, payload: { ...(body.payload as Record<string, unknown>), ...fields } };
}

function drop(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const payload = { ...(body.payload as Record<string, unknown>) };
  delete payload[field];
  return { ...body, payload };
}
