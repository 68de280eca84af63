// What must hold in the store after a kill -9, read directly (the server is dead): every acknowledged event
// is in the event log exactly once (under the event_id it was answered with), no event is there twice, and
// each booking has one appointment that reflects exactly the events the log holds for it.
import type { Db } from '../../../src/store/store.js';
import type { Booking, LogicalEvent } from './burst.js';

export interface StoreView {
  /** (uid, trigger) → event row ids. */
  eventIds: Map<string, number[]>;
  eventsById: Map<number, { booking_uid: string | null; trigger: string; appointment_id: number | null; result: string }>;
  /** uid → live (not merged) appointments reachable through appointment_uids. */
  appointmentsByUid: Map<string, AppointmentSnapshot[]>;
}

export interface AppointmentSnapshot {
  id: number;
  calcom_booking_uid: string | null;
  status: string;
  start_time: string | null;
  version: number;
}

const keyOf = (uid: string | null, trigger: string) => `${uid}:${trigger}`;

export async function readStore(db: Db, uids: readonly string[]): Promise<StoreView> {
  const view: StoreView = { eventIds: new Map(), eventsById: new Map(), appointmentsByUid: new Map() };
  const events = await db.selectFrom('events').select(['id', 'booking_uid', 'trigger', 'appointment_id', 'result']).where('booking_uid', 'in', uids).execute();
  for (const e of events) {
    const k = keyOf(e.booking_uid, e.trigger);
    view.eventIds.set(k, [...(view.eventIds.get(k) ?? []), e.id]);
    view.eventsById.set(e.id, e);
  }
  const rows = await db
    .selectFrom('appointment_uids')
    .innerJoin('appointments', 'appointments.id', 'appointment_uids.appointment_id')
    .select(['appointment_uids.uid as uid', 'appointments.id as id', 'calcom_booking_uid', 'status', 'start_time', 'version', 'merged_into'])
    .where('appointment_uids.uid', 'in', uids)
    .execute();
  for (const r of rows) {
    if (r.merged_into !== null) continue;
    const list = view.appointmentsByUid.get(r.uid) ?? [];
    list.push({ id: r.id, calcom_booking_uid: r.calcom_booking_uid, status: r.status, start_time: r.start_time, version: r.version });
    view.appointmentsByUid.set(r.uid, list);
  }
  return view;
}

export function uidsOf(bookings: readonly Booking[]): string[] {
  return bookings.flatMap((b) => (b.rescheduledTo ? [b.uid, b.rescheduledTo.uid] : [b.uid]));
}

const sameInstant = (a: string | null, b: string) => a !== null && Date.parse(a) === Date.parse(b);

/** Every way the store breaks the promises for these bookings; empty when it keeps them all. */
export function problems(view: StoreView, bookings: readonly Booking[]): string[] {
  const out: string[] = [];
  const stored = (e: LogicalEvent) => (view.eventIds.get(keyOf(e.uid, e.trigger)) ?? []).length;
  for (const b of bookings) {
    for (const e of b.events) {
      const n = stored(e);
      if (n > 1) out.push(`${e.key} is in the event log ${n} times`);
      if (e.acknowledged && n !== 1) out.push(`${e.key} was acknowledged but is in the event log ${n} times`);
      for (const id of e.eventIds) {
        const row = view.eventsById.get(id);
        if (!row || row.trigger !== e.trigger || row.booking_uid !== e.uid) out.push(`${e.key} was answered with event_id ${id}, which holds ${JSON.stringify(row ?? null)}`);
      }
    }
    const has = (kind: LogicalEvent['kind']) => b.events.some((e) => e.kind === kind && stored(e) > 0);
    const anyStored = b.events.some((e) => stored(e) > 0);
    const uids = b.rescheduledTo ? [b.uid, b.rescheduledTo.uid] : [b.uid];
    const appointments = new Map<number, AppointmentSnapshot>();
    for (const uid of uids) {
      const found = view.appointmentsByUid.get(uid) ?? [];
      if (found.length > 1) out.push(`uid ${uid} leads to ${found.length} appointments`);
      for (const a of found) appointments.set(a.id, a);
    }
    if (!anyStored) {
      if (appointments.size > 0) out.push(`booking ${b.uid} has no stored event but an appointment`);
      continue;
    }
    if (appointments.size !== 1) {
      out.push(`booking ${b.uid} has ${appointments.size} appointments (events stored: ${b.events.filter((e) => stored(e) > 0).map((e) => e.kind)})`);
      continue;
    }
    const a = [...appointments.values()][0] as AppointmentSnapshot;
    const expectedStatus = has('cancelled') ? 'cancelled' : 'accepted';
    if (a.status !== expectedStatus) out.push(`booking ${b.uid}: status ${a.status}, expected ${expectedStatus}`);
    const moved = b.rescheduledTo && has('rescheduled') ? b.rescheduledTo : null;
    const expectedUid = moved ? moved.uid : b.uid;
    const expectedStart = moved ? moved.startTime : b.startTime;
    if (a.calcom_booking_uid !== expectedUid) out.push(`booking ${b.uid}: current uid ${a.calcom_booking_uid}, expected ${expectedUid}`);
    if (!sameInstant(a.start_time, expectedStart)) out.push(`booking ${b.uid}: starts ${a.start_time}, expected ${expectedStart}`);
  }
  return out;
}

/** The appointments of these bookings, for "changed nothing" comparisons. */
export function appointmentSnapshot(view: StoreView): string[] {
  const seen = new Map<number, AppointmentSnapshot>();
  for (const list of view.appointmentsByUid.values()) for (const a of list) seen.set(a.id, a);
  return [...seen.values()].sort((x, y) => x.id - y.id).map((a) => `${a.id} ${a.calcom_booking_uid} ${a.status} ${a.start_time} v${a.version}`);
}

export function eventCount(view: StoreView): number {
  return view.eventsById.size;
}
