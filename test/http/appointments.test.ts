// The appointments store as the outside sees it, over real HTTP on both stores: the contract's fields,
// bearer auth, reschedules (both uid orders), echoes of our own bookings, conflicts, and events that
// arrive out of order, including reschedule chains whose records must be merged.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, legacyRescheduleBody, makeBookingUid, type SampleOptions, type SampleTrigger } from '../../src/calcom/samples.js';
import { appointmentsByUid, getJson, readJson, sendSigned, type JsonReply } from '../support/http-client.js';
import { startTestServer, TEST_API_KEY, type TestServer, useTestServer } from '../support/server.js';
import { storeCounts } from '../support/store-peek.js';
import { STORE_KINDS } from '../support/stores.js';

const WIDE_AUTH_BUDGET = { failureBudget: 1000, windowMs: 60_000 };

const FIXTURES_DIR = path.join(import.meta.dirname, '..', 'fixtures', 'calcom');

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, name), 'utf8')) as Record<string, unknown>;
}

/** Every permutation of a short list. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const slot = (day: number, hour: number, minutes = 30) => {
  const start = new Date(Date.UTC(2031, 5, day, hour, 0, 0));
  return { startTime: start.toISOString(), endTime: new Date(start.getTime() + minutes * 60_000).toISOString() };
};

describe.each(STORE_KINDS)('appointments over HTTP (%s)', (kind) => {
  let server: TestServer;
  let counter = 0;
  const uid = (label: string) => makeBookingUid(`appointments:${kind}:${label}:${counter++}`);
  /** A fresh organizer per test, so unrelated tests never overlap each other's slots. */
  const organizer = (label: string) => ({ name: `Host ${label}`, email: `host.${label}.${counter++}@studio.example.com`, timeZone: 'Europe/Berlin' });

  async function send(body: unknown): Promise<JsonReply> {
    const reply = await sendSigned(server, body);
    if (reply.status >= 500) throw new Error(`5xx from the webhook: ${JSON.stringify(reply.body)}`);
    return reply;
  }

  const body = (trigger: SampleTrigger, options: SampleOptions) => buildCalcomBody(trigger, options);

  async function byId(id: number) {
    const reply = await getJson(server, `/api/appointments/${id}`);
    expect(reply.status).toBe(200);
    return reply.body;
  }

  beforeAll(async () => {
    // Sends more wrong keys than the per-address budget (test/security/auth-throttle.test.ts covers that).
    server = await startTestServer({ kind, app: { authThrottle: WIDE_AUTH_BUDGET } });
  });

  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
  });

  describe('the read API', () => {
    it('shows every field the contract lists, the same by uid and by id', async () => {
      const bookingUid = uid('fields');
      const host = { name: 'Dana Whitfield', email: 'Dana.Fields@Studio.Example.com', timeZone: 'Europe/Berlin' };
      const reply = await send(
        body('BOOKING_CREATED', {
          uid: bookingUid,
          bookingId: 9001,
          eventTypeId: 2001,
          eventTypeSlug: 'intro',
          title: 'Intro between Dana and Jamie',
          ...slot(2, 9),
          organizer: host,
          attendee: { name: 'Jamie Rivera', email: 'jamie.fields@example.com', timeZone: 'America/New_York', phoneNumber: '+12125550143' },
          notes: 'Wants to talk about sleep',
          location: 'integrations:daily',
          createdAt: '2031-05-01T09:00:00.000Z',
        }),
      );
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ status: 'processed', action: 'created' });

      const [listed] = await appointmentsByUid(server, bookingUid);
      expect(listed).toMatchObject({
        id: reply.body.appointment_id,
        calcom_booking_uid: bookingUid,
        calcom_booking_id: 9001,
        previous_uids: [],
        status: 'accepted',
        start_time: '2031-06-02T09:00:00.000Z',
        end_time: '2031-06-02T09:30:00.000Z',
        title: 'Intro between Dana and Jamie',
        event_type_id: 2001,
        organizer: { name: 'Dana Whitfield', email: 'dana.fields@studio.example.com', time_zone: 'Europe/Berlin' },
        attendees: [{ name: 'Jamie Rivera', email: 'jamie.fields@example.com', time_zone: 'America/New_York', no_show: false }],
        phone: '+12125550143',
        notes: 'Wants to talk about sleep',
        location: 'integrations:daily',
        source: 'calcom_direct',
        reschedule_reason: null,
        cancellation_reason: null,
        no_show: false,
        conflict: false,
        version: 1,
      });
      expect(typeof listed.sync).toBe('object');
      // Notion is off here: the contract's sync.notion is still present, and says the appointment is not mirrored.
      expect(listed.sync.notion).toEqual({ state: 'not_mirrored', page_id: null, synced_version: 0, attempts: 0, next_attempt_at: null, last_error: null });
      expect(await byId(listed.id)).toEqual(listed);
    });

    it('an unknown uid finds nothing; an unknown id is 404 appointment_not_found; a bad id is 422', async () => {
      expect(await appointmentsByUid(server, 'no-such-uid')).toEqual([]);
      const missing = await getJson(server, '/api/appointments/987654');
      expect(missing).toMatchObject({ status: 404, body: { status: 'error', error: { code: 'appointment_not_found' } } });
      const bad = await getJson(server, '/api/appointments/not-a-number');
      expect(bad).toMatchObject({ status: 422, body: { status: 'error', error: { code: 'validation_error' } } });
    });

    const BAD_AUTH: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['a wrong key', { authorization: 'Bearer csk_wrong_key_wrong_key_00' }],
      ['the key with a character more', { authorization: `Bearer ${TEST_API_KEY}x` }],
      ['the key without its last character', { authorization: `Bearer ${TEST_API_KEY.slice(0, -1)}` }],
      ['the key as Basic auth', { authorization: `Basic ${Buffer.from(`user:${TEST_API_KEY}`).toString('base64')}` }],
      ['the key without the Bearer word', { authorization: TEST_API_KEY }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ];
    it.each(BAD_AUTH)('%s: 401 on both read routes, nothing leaked', async (_name, headers) => {
      const created = await send(body('BOOKING_CREATED', { uid: uid('auth'), organizer: organizer('auth') }));
      for (const route of [`/api/appointments?calcom_uid=${encodeURIComponent('x')}`, `/api/appointments/${created.body.appointment_id}`]) {
        const reply = await readJson(await fetch(server.url + route, { headers }));
        expect(reply.status).toBe(401);
        expect(reply.body).toEqual({ status: 'error', error: { code: 'unauthorized', message: expect.any(String) } });
      }
    });

    it('the Bearer word is not case-sensitive', async () => {
      const reply = await readJson(await fetch(server.url + '/api/appointments?calcom_uid=x', { headers: { authorization: `bearer ${TEST_API_KEY}` } }));
      expect(reply.status).toBe(200);
    });
  });

  describe('reschedules', () => {
    it('keep ONE appointment, found by every uid, at the newest times, with the earlier uids listed', async () => {
      const [a, b, c] = [uid('r-a'), uid('r-b'), uid('r-c')];
      const host = organizer('resched');
      const first = await send(body('BOOKING_CREATED', { uid: a, organizer: host, ...slot(3, 9) }));
      const second = await send(body('BOOKING_RESCHEDULED', { uid: b, rescheduleUid: a, organizer: host, ...slot(4, 10), rescheduleReason: 'Train delayed', rescheduledBy: 'jamie.rivera@example.com' }));
      expect(second.body).toMatchObject({ status: 'processed', action: 'rescheduled', appointment_id: first.body.appointment_id });

      const afterOne = await byId(first.body.appointment_id);
      expect(afterOne).toMatchObject({ calcom_booking_uid: b, previous_uids: [a], status: 'accepted', ...{ start_time: slot(4, 10).startTime }, reschedule_reason: 'Train delayed' });

      const third = await send(body('BOOKING_RESCHEDULED', { uid: c, rescheduleUid: b, organizer: host, ...slot(5, 11), rescheduleReason: 'Clash at work' }));
      expect(third.body).toMatchObject({ action: 'rescheduled', appointment_id: first.body.appointment_id });
      for (const u of [a, b, c]) {
        const found = await appointmentsByUid(server, u);
        expect(found).toHaveLength(1);
        expect(found[0]).toMatchObject({
          id: first.body.appointment_id,
          calcom_booking_uid: c,
          previous_uids: [a, b],
          start_time: slot(5, 11).startTime,
          end_time: slot(5, 11).endTime,
          reschedule_reason: 'Clash at work',
          status: 'accepted',
        });
      }
      expect((await byId(first.body.appointment_id)).version).toBeGreaterThan(afterOne.version);

      // A listing of many appointments gives each row its own earlier uids, in chain order.
      const plain = await send(body('BOOKING_CREATED', { uid: uid('r-plain'), organizer: host, ...slot(6, 9) }));
      const listed = (await getJson(server, '/api/appointments?limit=500')).body.appointments as { id: number; previous_uids: string[] }[];
      expect(listed.find((x) => x.id === first.body.appointment_id)?.previous_uids).toEqual([a, b]);
      expect(listed.find((x) => x.id === plain.body.appointment_id)?.previous_uids).toEqual([]);
      expect(listed.filter((x) => x.previous_uids.includes(a))).toHaveLength(1);
    });

    it('in the reversed uid order of older docs converge to what the real order gives', async () => {
      const results = [];
      for (const form of ['real', 'reversed'] as const) {
        const [original, moved] = [uid(`${form}-orig`), uid(`${form}-new`)];
        const host = organizer(form);
        await send(body('BOOKING_CREATED', { uid: original, organizer: host, ...slot(6, 9), createdAt: '2031-05-01T09:00:00.000Z' }));
        const options: SampleOptions = { uid: moved, rescheduleUid: original, organizer: host, ...slot(7, 14), rescheduleReason: 'Work trip moved', createdAt: '2031-05-02T09:00:00.000Z' };
        const reply = await send(form === 'real' ? body('BOOKING_RESCHEDULED', options) : legacyRescheduleBody(options));
        expect(reply.body).toMatchObject({ status: 'processed', action: 'rescheduled' });
        const byOriginal = await appointmentsByUid(server, original);
        const byMoved = await appointmentsByUid(server, moved);
        expect(byOriginal).toHaveLength(1);
        expect(byMoved.map((x) => x.id)).toEqual([byOriginal[0].id]);
        expect(byMoved[0]).toMatchObject({ calcom_booking_uid: moved, previous_uids: [original], start_time: slot(7, 14).startTime, status: 'accepted' });
        results.push(byMoved[0]);
      }
      // Identities and the organizer differ by construction; everything else must be the same. (The reversed form
      // carries the ORIGINAL booking's numeric id as bookingId, and the new one's is not in the message at all, so
      // calcom_booking_id cannot converge and is left out.)
      const DIFFERENT_BY_CONSTRUCTION = ['id', 'calcom_booking_uid', 'calcom_booking_id', 'previous_uids', 'organizer', 'metadata', 'title', 'created_at', 'updated_at', 'sync'];
      const comparable = (x: Record<string, unknown>) => Object.fromEntries(Object.entries(x).filter(([k]) => !DIFFERENT_BY_CONSTRUCTION.includes(k)));
      expect(comparable(results[1])).toEqual(comparable(results[0]));
    });

    it('reversed messages extend a chain, and join records the real order had left apart', async () => {
      for (const mix of ['all reversed', 'real first, reversed joining'] as const) {
        const [a, b, c] = [uid(`rev-${mix}-a`), uid(`rev-${mix}-b`), uid(`rev-${mix}-c`)];
        const host = organizer('rev-chain');
        const created = body('BOOKING_CREATED', { uid: a, organizer: host, ...slot(11, 9), createdAt: '2031-05-01T09:00:00.000Z' });
        const ab: SampleOptions = { uid: b, rescheduleUid: a, organizer: host, ...slot(12, 9), createdAt: '2031-05-02T09:00:00.000Z' };
        const bc: SampleOptions = { uid: c, rescheduleUid: b, organizer: host, ...slot(13, 9), createdAt: '2031-05-03T09:00:00.000Z' };
        const sequence =
          mix === 'all reversed'
            ? [created, legacyRescheduleBody(ab), legacyRescheduleBody(bc)]
            : [created, body('BOOKING_RESCHEDULED', bc), legacyRescheduleBody(ab)];
        for (const b2 of sequence) expect((await send(b2)).status).toBe(200);
        for (const u of [a, b, c]) {
          const found = await appointmentsByUid(server, u);
          expect(found).toHaveLength(1);
          expect(found[0]).toMatchObject({ calcom_booking_uid: c, previous_uids: [a, b], start_time: slot(13, 9).startTime, status: 'accepted' });
        }
      }
    });

    it('a reschedule needing confirmation (BOOKING_REQUESTED with rescheduleUid) then its confirmation', async () => {
      const [a, b] = [uid('rq-a'), uid('rq-b')];
      const host = organizer('requested-reschedule');
      const first = await send(body('BOOKING_CREATED', { uid: a, organizer: host, ...slot(8, 9) }));
      const request = await send(body('BOOKING_REQUESTED', { uid: b, rescheduleUid: a, organizer: host, ...slot(9, 9), rescheduleReason: 'Later please' }));
      expect(request.body).toMatchObject({ status: 'processed', action: 'rescheduled', appointment_id: first.body.appointment_id });
      expect(await byId(first.body.appointment_id)).toMatchObject({ status: 'requested', calcom_booking_uid: b, previous_uids: [a], start_time: slot(9, 9).startTime });
      const confirmation = await send(body('BOOKING_CREATED', { uid: b, organizer: host, ...slot(9, 9) }));
      expect(confirmation.body).toMatchObject({ status: 'processed', action: 'confirmed', appointment_id: first.body.appointment_id });
      expect(await byId(first.body.appointment_id)).toMatchObject({ status: 'accepted', calcom_booking_uid: b, previous_uids: [a], reschedule_reason: 'Later please' });
    });
  });

  describe('echoes of bookings calsync made', () => {
    it.each(['calsync_appointment_id', 'askpro_appointment_id'])('a booking whose metadata carries %s is linked, not duplicated', async (key) => {
      const host = organizer(`echo-${key}`);
      const target = await send(body('BOOKING_CREATED', { uid: uid('echo-target'), organizer: host, ...slot(10, 9) }));
      expect(target.status).toBe(200);
      const before = await storeCounts(server.app.store.db);

      const echoUid = uid('echo');
      const echo = body('BOOKING_CREATED', { uid: echoUid, organizer: host, ...slot(10, 9), metadata: { [key]: String(target.body.appointment_id) } });
      const linked = await send(echo);
      expect(linked.status).toBe(200);
      expect(linked.body).toMatchObject({ status: 'processed', action: 'linked', appointment_id: target.body.appointment_id });
      expect((await storeCounts(server.app.store.db)).appointments).toBe(before.appointments);

      const found = await appointmentsByUid(server, echoUid);
      expect(found.map((x) => x.id)).toEqual([target.body.appointment_id]);
      // Linking our own booking to itself is no overlap.
      expect(found[0].conflict).toBe(false);

      const again = await send(echo);
      expect(again.body).toEqual({ ...linked.body, duplicate: true });

      // Later changes to the echoed booking reach the same appointment.
      const cancel = await send(body('BOOKING_CANCELLED', { uid: echoUid, organizer: host, ...slot(10, 9), cancellationReason: 'Changed plans' }));
      expect(cancel.body).toMatchObject({ action: 'cancelled', appointment_id: target.body.appointment_id });
      expect(await byId(target.body.appointment_id)).toMatchObject({ status: 'cancelled', cancellation_reason: 'Changed plans' });
      expect((await storeCounts(server.app.store.db)).appointments).toBe(before.appointments);
    });

    it('metadata naming an appointment that does not exist creates the booking as usual', async () => {
      const echoUid = uid('echo-missing');
      const reply = await send(body('BOOKING_CREATED', { uid: echoUid, organizer: organizer('echo-missing'), metadata: { calsync_appointment_id: '987654321' } }));
      expect(reply.body).toMatchObject({ status: 'processed', action: 'created' });
      expect(reply.body.appointment_id).not.toBe(987654321);
      expect(await appointmentsByUid(server, echoUid)).toHaveLength(1);
    });
  });

  describe('conflicts', () => {
    it('two overlapping bookings of one organizer are both flagged; cancelling one clears both', async () => {
      const host = organizer('conflict');
      const [p, q, r] = [uid('c-p'), uid('c-q'), uid('c-r')];
      const first = await send(body('BOOKING_CREATED', { uid: p, organizer: host, startTime: '2031-06-12T10:00:00Z', endTime: '2031-06-12T11:00:00Z' }));
      const second = await send(body('BOOKING_CREATED', { uid: q, organizer: host, startTime: '2031-06-12T10:30:00Z', endTime: '2031-06-12T11:30:00Z' }));
      // Back to back with the second: not an overlap.
      const third = await send(body('BOOKING_CREATED', { uid: r, organizer: host, startTime: '2031-06-12T11:30:00Z', endTime: '2031-06-12T12:00:00Z' }));
      expect([first, second, third].map((x) => x.status)).toEqual([200, 200, 200]);
      expect((await byId(first.body.appointment_id)).conflict).toBe(true);
      expect((await byId(second.body.appointment_id)).conflict).toBe(true);
      expect((await byId(third.body.appointment_id)).conflict).toBe(false);
      expect(server.logs.some((l) => l.level === 40 && String(l.msg).includes('overlaps') && l.appointment_id === second.body.appointment_id)).toBe(true);

      const cancel = await send(body('BOOKING_CANCELLED', { uid: q, organizer: host, startTime: '2031-06-12T10:30:00Z', endTime: '2031-06-12T11:30:00Z' }));
      expect(cancel.body).toMatchObject({ action: 'cancelled' });
      for (const reply of [first, second, third]) expect((await byId(reply.body.appointment_id)).conflict).toBe(false);
    });

    it('overlapping bookings that arrive at the same moment are still both flagged', async () => {
      const pairs = Array.from({ length: 8 }, (_, n) => {
        const host = organizer(`race-${n}`);
        // Odd pairs: a three-day booking (too long to lock hour by hour) against a short one inside it.
        const first = n % 2 === 0 ? { startTime: '2031-06-19T10:00:00Z', endTime: '2031-06-19T11:00:00Z' } : { startTime: '2031-06-19T00:00:00Z', endTime: '2031-06-22T00:00:00Z' };
        const second = n % 2 === 0 ? { startTime: '2031-06-19T10:30:00Z', endTime: '2031-06-19T11:30:00Z' } : { startTime: '2031-06-21T15:00:00Z', endTime: '2031-06-21T15:30:00Z' };
        return [
          body('BOOKING_CREATED', { uid: uid(`race-${n}-a`), organizer: host, ...first }),
          body('BOOKING_CREATED', { uid: uid(`race-${n}-b`), organizer: host, ...second }),
        ];
      });
      const replies = await Promise.all(pairs.flat().map((b) => send(b)));
      expect(replies.map((r) => r.status)).toEqual(Array(replies.length).fill(200));
      const unflagged = [];
      for (const reply of replies) {
        const appointment = await byId(reply.body.appointment_id);
        if (!appointment.conflict) unflagged.push(appointment.calcom_booking_uid);
      }
      expect(unflagged).toEqual([]);
    });

    it('another organizer in the same slot is no conflict', async () => {
      const times = { startTime: '2031-06-13T10:00:00Z', endTime: '2031-06-13T11:00:00Z' };
      const one = await send(body('BOOKING_CREATED', { uid: uid('o1'), organizer: organizer('o1'), ...times }));
      const two = await send(body('BOOKING_CREATED', { uid: uid('o2'), organizer: organizer('o2'), ...times }));
      expect((await byId(one.body.appointment_id)).conflict).toBe(false);
      expect((await byId(two.body.appointment_id)).conflict).toBe(false);
    });

    it('a reschedule into an occupied slot flags both; moving away again clears both', async () => {
      const host = organizer('moving');
      const [fixed, mover, moved, movedAgain] = [uid('m-fixed'), uid('m-a'), uid('m-b'), uid('m-c')];
      const steady = await send(body('BOOKING_CREATED', { uid: fixed, organizer: host, startTime: '2031-06-14T14:00:00Z', endTime: '2031-06-14T15:00:00Z' }));
      const other = await send(body('BOOKING_CREATED', { uid: mover, organizer: host, startTime: '2031-06-14T09:00:00Z', endTime: '2031-06-14T10:00:00Z' }));
      expect((await byId(steady.body.appointment_id)).conflict).toBe(false);

      await send(body('BOOKING_RESCHEDULED', { uid: moved, rescheduleUid: mover, organizer: host, startTime: '2031-06-14T14:30:00Z', endTime: '2031-06-14T15:30:00Z' }));
      expect((await byId(steady.body.appointment_id)).conflict).toBe(true);
      expect((await byId(other.body.appointment_id)).conflict).toBe(true);

      await send(body('BOOKING_RESCHEDULED', { uid: movedAgain, rescheduleUid: moved, organizer: host, startTime: '2031-06-14T16:00:00Z', endTime: '2031-06-14T17:00:00Z' }));
      expect((await byId(steady.body.appointment_id)).conflict).toBe(false);
      expect((await byId(other.body.appointment_id)).conflict).toBe(false);
    });

    it('a pending request holds its slot too', async () => {
      const host = organizer('pending');
      const times = { startTime: '2031-06-15T10:00:00Z', endTime: '2031-06-15T11:00:00Z' };
      const pending = await send(body('BOOKING_REQUESTED', { uid: uid('pend'), organizer: host, ...times }));
      const booked = await send(body('BOOKING_CREATED', { uid: uid('pend-b'), organizer: host, ...times }));
      expect((await byId(pending.body.appointment_id)).conflict).toBe(true);
      expect((await byId(booked.body.appointment_id)).conflict).toBe(true);
    });
  });

  describe('out of order', () => {
    it('a full cancellation before the creation: the booking ends cancelled', async () => {
      const u = uid('cancel-first');
      const host = organizer('cancel-first');
      const cancel = await send(body('BOOKING_CANCELLED', { uid: u, organizer: host, ...slot(16, 9), createdAt: '2031-05-03T09:00:00.000Z', cancellationReason: 'Sick' }));
      expect(cancel.status).toBe(200);
      expect(cancel.body).toMatchObject({ status: 'processed', action: 'cancelled' });
      const creation = await send(body('BOOKING_CREATED', { uid: u, organizer: host, ...slot(16, 9), createdAt: '2031-05-01T09:00:00.000Z' }));
      expect(creation.status).toBe(200);
      expect(creation.body.appointment_id).toBe(cancel.body.appointment_id);
      const [appointment] = await appointmentsByUid(server, u);
      expect(appointment).toMatchObject({ status: 'cancelled', cancellation_reason: 'Sick', start_time: slot(16, 9).startTime, title: expect.any(String) });
    });

    it('MEETING_ENDED before the creation: completed', async () => {
      const u = uid('ended-first');
      const host = organizer('ended-first');
      const ended = await send(body('MEETING_ENDED', { uid: u, organizer: host, ...slot(17, 9) }));
      expect(ended.body).toMatchObject({ status: 'processed', action: 'completed' });
      await send(body('BOOKING_CREATED', { uid: u, organizer: host, ...slot(17, 9) }));
      expect((await appointmentsByUid(server, u))[0]).toMatchObject({ status: 'completed' });
    });

    it('payment initiated, paid and created in every order: accepted and paid', async () => {
      const triggers = ['BOOKING_PAYMENT_INITIATED', 'BOOKING_PAID', 'BOOKING_CREATED'] as const;
      for (const order of permutations(triggers)) {
        const u = uid('pay');
        const host = organizer('pay');
        for (const [i, trigger] of order.entries()) {
          const reply = await send(body(trigger, { uid: u, organizer: host, ...slot(18, 9), paymentId: 981, createdAt: `2031-05-01T09:0${i}:00.000Z` }));
          expect(reply.status).toBe(200);
        }
        const found = await appointmentsByUid(server, u);
        expect(found).toHaveLength(1);
        expect(found[0]).toMatchObject({ status: 'accepted', payment: { status: 'paid', payment_id: '981' } });
      }
    });

    const CHAIN_ORDERS = permutations([0, 1, 2]);
    it.each(CHAIN_ORDERS.map((o) => [o.join(' -> '), o] as const))(
      'a reschedule chain of three delivered as %s: one appointment, newest times, every uid finds it',
      async (_name, order) => {
        const [a, b, c] = [uid('chain-a'), uid('chain-b'), uid('chain-c')];
        const host = organizer('chain');
        const bodies = [
          body('BOOKING_CREATED', { uid: a, organizer: host, ...slot(20, 9), createdAt: '2031-05-01T09:00:00.000Z' }),
          body('BOOKING_RESCHEDULED', { uid: b, rescheduleUid: a, organizer: host, ...slot(21, 10), createdAt: '2031-05-02T09:00:00.000Z', rescheduleReason: 'first move' }),
          body('BOOKING_RESCHEDULED', { uid: c, rescheduleUid: b, organizer: host, ...slot(22, 11), createdAt: '2031-05-03T09:00:00.000Z', rescheduleReason: 'second move' }),
        ];
        const before = await storeCounts(server.app.store.db);
        const replies = [];
        for (const i of order) replies.push(await send(bodies[i]));
        expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);

        const found = await appointmentsByUid(server, a);
        expect(found).toHaveLength(1);
        const survivor = found[0];
        expect(survivor).toMatchObject({
          calcom_booking_uid: c,
          previous_uids: [a, b],
          status: 'accepted',
          start_time: slot(22, 11).startTime,
          end_time: slot(22, 11).endTime,
          reschedule_reason: 'second move',
          conflict: false,
        });
        for (const u of [b, c]) expect((await appointmentsByUid(server, u)).map((x) => x.id)).toEqual([survivor.id]);
        // Any id an answer named (a record later merged away included) leads to the survivor.
        for (const reply of replies) expect((await byId(reply.body.appointment_id)).id).toBe(survivor.id);
        // Whatever records existed on the way, exactly one is listed.
        const listed = (await getJson(server, `/api/appointments?limit=500`)).body.appointments as { calcom_booking_uid: string }[];
        expect(listed.filter((x) => [a, b, c].includes(x.calcom_booking_uid))).toHaveLength(1);
        expect((await storeCounts(server.app.store.db)).appointmentUids).toBe(before.appointmentUids + 3);
      },
    );

    it('a chain of four and a cancellation of its last uid, delivered newest first', async () => {
      const [a, b, c, d] = [uid('four-a'), uid('four-b'), uid('four-c'), uid('four-d')];
      const host = organizer('four');
      const bodies = [
        body('BOOKING_CREATED', { uid: a, organizer: host, ...slot(23, 9), createdAt: '2031-05-01T09:00:00.000Z' }),
        body('BOOKING_RESCHEDULED', { uid: b, rescheduleUid: a, organizer: host, ...slot(24, 9), createdAt: '2031-05-02T09:00:00.000Z' }),
        body('BOOKING_RESCHEDULED', { uid: c, rescheduleUid: b, organizer: host, ...slot(25, 9), createdAt: '2031-05-03T09:00:00.000Z' }),
        body('BOOKING_RESCHEDULED', { uid: d, rescheduleUid: c, organizer: host, ...slot(26, 9), createdAt: '2031-05-04T09:00:00.000Z' }),
        body('BOOKING_CANCELLED', { uid: d, organizer: host, ...slot(26, 9), createdAt: '2031-05-05T09:00:00.000Z', cancellationReason: 'Gave up' }),
      ];
      for (const b2 of [...bodies].reverse()) expect((await send(b2)).status).toBe(200);
      for (const u of [a, b, c, d]) {
        const found = await appointmentsByUid(server, u);
        expect(found).toHaveLength(1);
        expect(found[0]).toMatchObject({ calcom_booking_uid: d, previous_uids: [a, b, c], status: 'cancelled', cancellation_reason: 'Gave up', start_time: slot(26, 9).startTime });
      }
    });

    it('reschedule chains delivered all at once converge too', async () => {
      const chains = Array.from({ length: 4 }, (_, n) => {
        const [a, b, c] = [uid(`burst-${n}-a`), uid(`burst-${n}-b`), uid(`burst-${n}-c`)];
        const host = organizer(`burst-${n}`);
        return {
          uids: [a, b, c],
          bodies: [
            body('BOOKING_CREATED', { uid: a, organizer: host, ...slot(27, 9), createdAt: '2031-05-01T09:00:00.000Z' }),
            body('BOOKING_RESCHEDULED', { uid: b, rescheduleUid: a, organizer: host, ...slot(28, 9), createdAt: '2031-05-02T09:00:00.000Z' }),
            body('BOOKING_RESCHEDULED', { uid: c, rescheduleUid: b, organizer: host, ...slot(29, 9), createdAt: '2031-05-03T09:00:00.000Z' }),
          ],
        };
      });
      const replies = await Promise.all(chains.flatMap((chain) => chain.bodies.map((b2) => send(b2))));
      expect(replies.map((r) => r.status)).toEqual(Array(replies.length).fill(200));
      for (const chain of chains) {
        const [a, b, c] = chain.uids as [string, string, string];
        const ids = new Set<number>();
        for (const u of chain.uids) {
          const found = await appointmentsByUid(server, u);
          expect(found).toHaveLength(1);
          ids.add(found[0].id);
          expect(found[0]).toMatchObject({ calcom_booking_uid: c, previous_uids: [a, b], start_time: slot(29, 9).startTime });
        }
        expect(ids.size).toBe(1);
      }
    });
  });
});

describe.each(STORE_KINDS)("the fixtures' story (%s)", (kind) => {
  const server = useTestServer({ kind });

  it('booked, rescheduled, cancelled with a {uid} message: one cancelled appointment that remembers everything', async () => {
    const created = await sendSigned(server, fixture('booking_created.json'));
    const moved = await sendSigned(server, fixture('booking_rescheduled.json'));
    const cancelled = await sendSigned(server, fixture('booking_cancelled.minimal.json'));
    expect([created.body.action, moved.body.action, cancelled.body.action]).toEqual(['created', 'rescheduled', 'cancelled']);
    expect(new Set([created.body.appointment_id, moved.body.appointment_id, cancelled.body.appointment_id]).size).toBe(1);
    const [appointment] = await appointmentsByUid(server, '3TuqHTQaDsZamFUC8T3tf9');
    expect(appointment).toMatchObject({
      calcom_booking_uid: '9eQaE2aDPCzRuokjrR4gGk',
      calcom_booking_id: 4133,
      previous_uids: ['3TuqHTQaDsZamFUC8T3tf9'],
      status: 'cancelled',
      start_time: '2031-03-19T15:00:00.000Z',
      reschedule_reason: 'Work trip moved',
      cancellation_reason: 'Feeling unwell, will rebook later',
      organizer: { email: 'dana@studio.example.com' },
      attendees: [{ email: 'jamie.rivera@example.com', no_show: false }],
      phone: '+12125550143',
    });
    // The no-show fixture names the original uid: it still finds the booking.
    const noShow = await sendSigned(server, fixture('booking_no_show_updated.json'));
    expect(noShow.body).toMatchObject({ status: 'processed', action: 'no_show', appointment_id: appointment.id });
    expect((await appointmentsByUid(server, '9eQaE2aDPCzRuokjrR4gGk'))[0]).toMatchObject({ no_show: true, status: 'cancelled' });
  });

  it("the echo fixture links to appointment 12, the one its metadata names", async () => {
    const existing = (await storeCounts(server.app.store.db)).appointments;
    let lastId = 0;
    for (let i = existing; i < 12; i++) {
      const reply = await sendSigned(server, buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid(`story:${kind}:${i}`) }));
      lastId = reply.body.appointment_id;
    }
    expect(lastId).toBe(12);
    const echo = await sendSigned(server, fixture('booking_created.calsync-echo.json'));
    expect(echo.body).toMatchObject({ status: 'processed', action: 'linked', appointment_id: 12 });
    expect((await storeCounts(server.app.store.db)).appointments).toBe(12);
  });
});
