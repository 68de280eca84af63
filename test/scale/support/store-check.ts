// What the scale test expects of the shared store once every delivery was acknowledged: the kill -9
// test's checks (each event in the log once, under the event_id it was answered with; one appointment per
// booking with the status, uid and start the natural order gives), plus the end time, nothing else in the
// event log, and no appointment that belongs to no booking.
import type { Db } from '../../../src/store/store.js';
import { problems, readStore, uidsOf } from '../../faults/kill9/verify.js';
import type { ScalePlan } from './plan.js';

export async function storeProblems(db: Db, plan: ScalePlan): Promise<string[]> {
  const out = problems(await readStore(db, uidsOf(plan.bookings)), plan.bookings);

  const events = await db.selectFrom('events').select(['id', 'result', 'trigger', 'booking_uid']).execute();
  if (events.length !== plan.events.length) out.push(`the event log holds ${events.length} events, ${plan.events.length} were sent`);
  for (const e of events) if (e.result !== 'processed') out.push(`event ${e.id} (${e.trigger} ${e.booking_uid}) is ${e.result}`);

  const live = await db.selectFrom('appointments').select(['id', 'calcom_booking_uid', 'end_time']).where('merged_into', 'is', null).execute();
  if (live.length !== plan.bookings.length) out.push(`${live.length} live appointments for ${plan.bookings.length} bookings`);
  const byUid = new Map(live.map((a) => [a.calcom_booking_uid, a]));
  for (const b of plan.bookings) {
    const a = byUid.get(b.finalUid);
    if (a && (a.end_time === null || Date.parse(a.end_time) !== Date.parse(b.finalEnd))) out.push(`booking ${b.uid}: ends ${a.end_time}, expected ${b.finalEnd}`);
  }
  return out;
}

/** Records that proved to be one booking with another (e.g. a cancellation that arrived before its creation's reschedule). */
export async function countMergedAppointments(db: Db): Promise<number> {
  const rows = await db.selectFrom('appointments').select('id').where('merged_into', 'is not', null).execute();
  return rows.length;
}
