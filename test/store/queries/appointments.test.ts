// Appointment rows and their uids on both stores: the uid registry, state writes with versions, the
// overlap query conflicts rely on, and the list filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppointmentState } from '../../../src/appointments/lifecycle.js';
import {
  insertAppointment,
  insertAppointmentCheckingOverlap,
  insertAppointmentUids,
  markAppointmentMerged,
  moveUidsToAppointment,
  rowToState,
  selectActiveOverlapping,
  selectAppointmentById,
  selectAppointmentByUid,
  selectAppointmentIdsByUids,
  selectAppointments,
  selectUidsOf,
  setConflictFlag,
  updateAppointmentState,
} from '../../../src/store/queries/appointments.js';
import { openFreshStore, type OpenedTestStore } from '../../support/open-store.js';
import { STORE_KINDS } from '../../support/stores.js';

const AT = '2031-03-01T10:00:00.000Z';

function state(uid: string, overrides: Partial<AppointmentState> = {}): AppointmentState {
  return {
    uid,
    previousUids: [],
    bookingId: 4127,
    eventTypeId: 1001,
    eventType: '30min',
    title: 'Intro',
    startTime: '2031-03-12T14:00:00.000Z',
    endTime: '2031-03-12T14:30:00.000Z',
    organizer: { name: 'Dana', email: 'dana@studio.example.com', timeZone: 'Europe/Berlin' },
    attendees: [{ name: 'Jamie', email: 'jamie@example.com', timeZone: null, noShow: true }],
    phone: '+15555550123',
    notes: 'notes',
    location: 'integrations:daily',
    metadata: { calsync_appointment_id: '3', nested: { a: [1, 2] } },
    status: 'accepted',
    rescheduleReason: null,
    rescheduledBy: null,
    cancellationReason: null,
    cancelledBy: null,
    requestReschedule: true,
    rejectionReason: null,
    noShow: true,
    payment: { status: 'paid', paymentId: '981' },
    ...overrides,
  };
}

describe.each(STORE_KINDS)('appointment queries (%s)', (kind) => {
  let t: OpenedTestStore;
  beforeAll(async () => {
    t = await openFreshStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('insertAppointment stores the state as text, 0/1 and JSON, and reads back into the same state', async () => {
    const s = state('uid-roundtrip');
    const id = await insertAppointment(t.store.db, s, 'calcom_direct', AT);
    const row = await selectAppointmentById(t.store.db, id);
    expect(row).toMatchObject({ id, calcom_booking_uid: 'uid-roundtrip', status: 'accepted', version: 1, conflict: 0, no_show: 1, request_reschedule: 1, source: 'calcom_direct', created_at: AT, updated_at: AT, merged_into: null });
    expect(typeof row?.metadata).toBe('string');
    expect(rowToState(row!, [])).toEqual(s);
  });

  it('updateAppointmentState bumps the version only when something changed', async () => {
    const s = state('uid-version');
    const id = await insertAppointment(t.store.db, s, 'calcom_direct', AT);
    const row = (await selectAppointmentById(t.store.db, id))!;
    expect(await updateAppointmentState(t.store.db, row, { ...s, previousUids: ['ignored'] }, '2031-03-02T00:00:00.000Z')).toBeNull();
    expect(await selectAppointmentById(t.store.db, id)).toEqual(row);

    expect(await updateAppointmentState(t.store.db, row, { ...s, status: 'cancelled' }, '2031-03-02T00:00:00.000Z')).toBe(2);
    expect(await selectAppointmentById(t.store.db, id)).toMatchObject({ status: 'cancelled', version: 2, updated_at: '2031-03-02T00:00:00.000Z', created_at: AT });
  });

  it('the uid registry: every uid leads to its appointment, and a registered uid keeps its owner', async () => {
    const one = await insertAppointment(t.store.db, state('reg-a'), 'calcom_direct', AT);
    const two = await insertAppointment(t.store.db, state('reg-c'), 'calcom_direct', AT);
    await insertAppointmentUids(t.store.db, one, ['reg-a', 'reg-b']);
    await insertAppointmentUids(t.store.db, two, ['reg-c', 'reg-b']);
    await insertAppointmentUids(t.store.db, two, []);
    const ids = await selectAppointmentIdsByUids(t.store.db, ['reg-a', 'reg-b', 'reg-c', 'reg-unknown']);
    expect(Object.fromEntries(ids)).toEqual({ 'reg-a': one, 'reg-b': one, 'reg-c': two });
    expect((await selectUidsOf(t.store.db, one)).sort()).toEqual(['reg-a', 'reg-b']);
    expect(await selectUidsOf(t.store.db, two)).toEqual(['reg-c']);
    expect((await selectAppointmentByUid(t.store.db, 'reg-b'))?.id).toBe(one);
    expect(await selectAppointmentByUid(t.store.db, 'reg-unknown')).toBeUndefined();
    expect((await selectAppointmentIdsByUids(t.store.db, [])).size).toBe(0);
  });

  it('a merge moves the uids; the merged record leaves the list but its uids still find the survivor', async () => {
    const keep = await insertAppointment(t.store.db, state('merge-keep'), 'calcom_direct', AT);
    const gone = await insertAppointment(t.store.db, state('merge-gone'), 'calcom_direct', AT);
    await insertAppointmentUids(t.store.db, keep, ['merge-keep']);
    await insertAppointmentUids(t.store.db, gone, ['merge-gone', 'merge-older']);
    await moveUidsToAppointment(t.store.db, gone, keep);
    await markAppointmentMerged(t.store.db, gone, keep, AT);
    expect((await selectUidsOf(t.store.db, keep)).sort()).toEqual(['merge-gone', 'merge-keep', 'merge-older']);
    expect((await selectAppointmentById(t.store.db, gone))?.merged_into).toBe(keep);
    for (const uid of ['merge-keep', 'merge-gone', 'merge-older']) {
      expect((await selectAppointments(t.store.db, { calcomUid: uid, limit: 10 })).map((r) => r.id)).toEqual([keep]);
    }
    const all = await selectAppointments(t.store.db, { limit: 500 });
    expect(all.map((r) => r.id)).not.toContain(gone);
  });

  it('selectAppointments filters by status and pages newest first', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await insertAppointment(t.store.db, state(`page-${i}`, { status: 'rejected' }), 'calcom_direct', AT));
    const page = await selectAppointments(t.store.db, { status: 'rejected', limit: 2 });
    expect(page.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const next = await selectAppointments(t.store.db, { status: 'rejected', limit: 2, beforeId: ids[1] });
    expect(next.map((r) => r.id)).toEqual([ids[0]]);
  });

  it('selectActiveOverlapping: half-open, same organizer, active, not merged, not itself', async () => {
    const email = `overlap.${kind}@studio.example.com`;
    const organizer = { name: 'O', email, timeZone: null };
    const mk = (uid: string, startTime: string, endTime: string, over: Partial<AppointmentState> = {}) =>
      insertAppointment(t.store.db, state(uid, { organizer, startTime, endTime, ...over }), 'calcom_direct', AT);
    const self = await mk('ov-self', '2031-04-01T10:00:00.000Z', '2031-04-01T11:00:00.000Z');
    const inside = await mk('ov-inside', '2031-04-01T10:15:00.000Z', '2031-04-01T10:45:00.000Z');
    const tail = await mk('ov-tail', '2031-04-01T10:59:59.999Z', '2031-04-01T12:00:00.000Z');
    await mk('ov-before', '2031-04-01T09:00:00.000Z', '2031-04-01T10:00:00.000Z');
    await mk('ov-after', '2031-04-01T11:00:00.000Z', '2031-04-01T11:30:00.000Z');
    await mk('ov-cancelled', '2031-04-01T10:00:00.000Z', '2031-04-01T11:00:00.000Z', { status: 'cancelled' });
    await mk('ov-completed', '2031-04-01T10:00:00.000Z', '2031-04-01T11:00:00.000Z', { status: 'completed' });
    const pending = await mk('ov-pending', '2031-04-01T10:30:00.000Z', '2031-04-01T10:40:00.000Z', { status: 'requested' });
    const merged = await mk('ov-merged', '2031-04-01T10:00:00.000Z', '2031-04-01T11:00:00.000Z');
    await markAppointmentMerged(t.store.db, merged, self, AT);
    await insertAppointment(t.store.db, state('ov-other-host', { startTime: '2031-04-01T10:00:00.000Z', endTime: '2031-04-01T11:00:00.000Z' }), 'calcom_direct', AT);

    const found = await selectActiveOverlapping(t.store.db, email, '2031-04-01T10:00:00.000Z', '2031-04-01T11:00:00.000Z', self, 100);
    expect(found.map((r) => r.id).sort((a, b) => a - b)).toEqual([inside, tail, pending].sort((a, b) => a - b));
    expect(await selectActiveOverlapping(t.store.db, email, '2031-04-01T10:00:00.000Z', '2031-04-01T11:00:00.000Z', self, 1)).toHaveLength(1);

    await setConflictFlag(t.store.db, inside, true);
    expect((await selectAppointmentById(t.store.db, inside))?.conflict).toBe(1);
    await setConflictFlag(t.store.db, inside, false);
    expect((await selectAppointmentById(t.store.db, inside))?.conflict).toBe(0);
  });

  it('insertAppointment writes no conflict flag (the overlap refresh sets flags); the checking insert flags an overlap it finds', async () => {
    const organizer = { name: 'O', email: `flag.${kind}@studio.example.com`, timeZone: null };
    const slot = { organizer, startTime: '2031-05-01T10:00:00.000Z', endTime: '2031-05-01T11:00:00.000Z' };
    await insertAppointment(t.store.db, state('flag-first', slot), 'calcom_direct', AT);
    const plain = await insertAppointment(t.store.db, state('flag-plain', slot), 'calcom_direct', AT);
    expect((await selectAppointmentById(t.store.db, plain))?.conflict).toBe(0);
    const checked = await insertAppointmentCheckingOverlap(t.store.db, state('flag-checked', slot), 'calcom_direct', AT);
    expect(checked.overlaps).toBe(true);
    expect((await selectAppointmentById(t.store.db, checked.id))?.conflict).toBe(1);
    const elsewhere = await insertAppointmentCheckingOverlap(
      t.store.db,
      state('flag-later', { ...slot, startTime: '2031-05-01T11:00:00.000Z', endTime: '2031-05-01T12:00:00.000Z' }),
      'calcom_direct',
      AT,
    );
    expect(elsewhere.overlaps).toBe(false);
  });
});
