// One signed booking must not stall intake: absurd spans are refused at the edge (422, nothing stored), and
// the conflict-flag refresh issues a bounded number of statements however many appointments a change touches.
import pino from 'pino';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_APPOINTMENT_DURATION_MS, durationProblem } from '../../src/appointments/duration.js';
import type { AppointmentState } from '../../src/appointments/lifecycle.js';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { refreshConflicts } from '../../src/intake/refresh-conflicts.js';
import { insertAppointment } from '../../src/store/queries/appointments.js';
import type { Db } from '../../src/store/store.js';
import { sendSigned } from '../support/http-client.js';
import { openFreshStore, type OpenedTestStore } from '../support/open-store.js';
import { useTestServer } from '../support/server.js';
import { storeCounts } from '../support/store-peek.js';
import { STORE_KINDS } from '../support/stores.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const SILENT = pino({ level: 'silent' });

describe('durationProblem', () => {
  it('accepts up to 31 days and unknown times, refuses longer spans and an end before the start', () => {
    const start = '2031-01-01T00:00:00.000Z';
    const at = (ms: number) => new Date(Date.parse(start) + ms).toISOString();
    expect(MAX_APPOINTMENT_DURATION_MS).toBe(31 * DAY_MS);
    expect(durationProblem(start, at(0))).toBeNull();
    expect(durationProblem(start, at(31 * DAY_MS))).toBeNull();
    expect(durationProblem(start, at(31 * DAY_MS + 1))).toMatch(/31 days/);
    expect(durationProblem(start, at(-1))).toMatch(/before/);
    expect(durationProblem(null, at(0))).toBeNull();
    expect(durationProblem(start, null)).toBeNull();
  });
});

describe.each(STORE_KINDS)('absurd booking spans over HTTP (%s)', (kind) => {
  const server = useTestServer({ kind });

  it.each([
    ['year 0001 to 9999', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:00.000Z'],
    ['31 days and a minute', '2031-01-01T00:00:00.000Z', '2031-02-01T00:01:00.000Z'],
  ])('refuses a booking from %s with 422 validation_error and stores nothing', async (_name, startTime, endTime) => {
    const before = await storeCounts(server.app.store.db);
    for (const trigger of ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_REQUESTED'] as const) {
      const body = buildCalcomBody(trigger, { uid: makeBookingUid(`absurd:${kind}:${trigger}:${startTime}`), startTime, endTime });
      const reply = await sendSigned(server, body);
      expect(reply.status).toBe(422);
      expect(reply.body.error.code).toBe('validation_error');
      expect(reply.body.error.message).toMatch(/endTime/);
    }
    const after = await storeCounts(server.app.store.db);
    expect(after.appointments).toBe(before.appointments);
    expect(after.events).toBe(before.events);
  });

  it('accepts a month-long booking (31 days exactly)', async () => {
    const body = buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid(`month:${kind}`), startTime: '2031-01-01T00:00:00.000Z', endTime: '2031-02-01T00:00:00.000Z' });
    const reply = await sendSigned(server, body);
    expect(reply.status).toBe(200);
  });
});

/** Counts every statement a Kysely handle issues (raw sql`` included: it compiles through the plugins). */
function counting(db: Db): { db: Db; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      n++;
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return args.result;
    },
  };
  return { db: db.withPlugin(plugin), count: () => n };
}

const ORGANIZER = { name: 'Dana', email: 'dana@studio.example.com', timeZone: 'Europe/Berlin' };
const SLOT_MS = 15 * 60 * 1000;
const FIRST_SLOT = Date.parse('2031-05-01T08:00:00.000Z');

function state(uid: string, startMs: number, endMs: number, overrides: Partial<AppointmentState> = {}): AppointmentState {
  return {
    uid,
    previousUids: [],
    bookingId: null,
    eventTypeId: null,
    eventType: '30min',
    title: uid,
    startTime: new Date(startMs).toISOString(),
    endTime: new Date(endMs).toISOString(),
    organizer: ORGANIZER,
    attendees: [],
    phone: null,
    notes: null,
    location: null,
    metadata: {},
    status: 'accepted',
    rescheduleReason: null,
    rescheduledBy: null,
    cancellationReason: null,
    cancelledBy: null,
    requestReschedule: false,
    rejectionReason: null,
    noShow: false,
    payment: null,
    ...overrides,
  };
}

describe.each(STORE_KINDS)('conflict refresh is bounded (%s)', (kind) => {
  let t: OpenedTestStore;
  beforeAll(async () => {
    t = await openFreshStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  /**
   * `count` short appointments of one organizer inside 30 days (two of them sharing a slot), then one
   * 30-day booking over all of them is placed and cancelled. Returns the statements each refresh issued.
   */
  async function scenario(label: string, count: number): Promise<{ placed: number; cancelled: number }> {
    const db = t.store.db;
    const organizer = { ...ORGANIZER, email: `${label}@studio.example.com` };
    const at = new Date().toISOString();
    const ids = await db.transaction().execute(async (trx) => {
      const out: number[] = [];
      for (let i = 0; i < count; i++) {
        const start = FIRST_SLOT + i * SLOT_MS;
        out.push(await insertAppointment(trx, state(`${label}-${i}`, start, start + SLOT_MS, { organizer }), 'calcom_direct', at));
      }
      return out;
    });
    // Two that overlap each other: they stay conflicting after the long booking goes.
    const twinStart = FIRST_SLOT + 3 * SLOT_MS;
    const twin = await insertAppointment(db, state(`${label}-twin`, twinStart, twinStart + SLOT_MS, { organizer }), 'calcom_direct', at);
    await refreshConflicts(db, twin, null, state(`${label}-twin`, twinStart, twinStart + SLOT_MS, { organizer }), SILENT);

    const longState = state(`${label}-long`, FIRST_SLOT - DAY_MS, FIRST_SLOT + 29 * DAY_MS, { organizer });
    const longId = await insertAppointment(db, longState, 'calcom_direct', at);
    const placing = counting(db);
    await refreshConflicts(placing.db, longId, null, longState, SILENT);
    const flagged = await db.selectFrom('appointments').select(['id', 'conflict']).where('organizer_email', '=', organizer.email).execute();
    expect(flagged.length).toBe(count + 2);
    expect(flagged.filter((r) => r.conflict !== 1)).toEqual([]);

    await db.updateTable('appointments').set({ status: 'cancelled' }).where('id', '=', longId).execute();
    const cancelling = counting(db);
    await refreshConflicts(
      cancelling.db,
      longId,
      { organizerEmail: organizer.email, startTime: longState.startTime, endTime: longState.endTime, active: true, conflict: true },
      { ...longState, status: 'cancelled' },
      SILENT,
    );
    const rows = await db.selectFrom('appointments').select(['id', 'conflict']).where('organizer_email', '=', organizer.email).execute();
    const stillFlagged = rows.filter((r) => r.conflict === 1).map((r) => r.id).sort((a, b) => a - b);
    expect(stillFlagged).toEqual([ids[3], twin].sort((a, b) => (a as number) - (b as number)));
    return { placed: placing.count(), cancelled: cancelling.count() };
  }

  it('placing and cancelling a booking over 2,000 appointments takes as few statements as over 20', async () => {
    const small = await scenario('small', 20);
    const large = await scenario('large', 2000);
    expect(large).toEqual(small);
    expect(large.placed).toBeLessThanOrEqual(4);
    expect(large.cancelled).toBeLessThanOrEqual(4);
  }, 50_000);
});
