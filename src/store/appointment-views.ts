// Appointment rows as the contract shows them (GET /api/appointments/:id, a sink's `view`): each with its
// uids in reschedule-chain order and its sync state per sink. One place, so the API and every sink (e.g.
// an outbound webhook's `data`) show an appointment the same way.
import { uidChain, type KnownEvent } from '../appointments/lifecycle.js';
import type { DomainEvent } from '../appointments/types.js';
import { presentAppointment, type AppointmentView } from './appointment-view.js';
import { selectUidsOfMany } from './queries/appointments.js';
import { selectProcessedEventsOf } from './queries/events.js';
import { selectSinkStates } from './queries/sinks.js';
import type { AppointmentRow } from './schema.js';
import type { Db } from './store.js';

/**
 * `shownSinks`: the sinks whose `sync.<name>` every view carries (the sink registry's API sinks);
 * `hiddenSinks`: the sinks whose state no view shows (the registry's hidden ones).
 */
export async function presentAppointments(db: Db, rows: readonly AppointmentRow[], shownSinks: readonly string[], hiddenSinks: readonly string[] = []): Promise<AppointmentView[]> {
  const ids = rows.map((r) => r.id);
  const sinks = (await selectSinkStates(db, ids)).filter((s) => !hiddenSinks.includes(s.sink));
  const uidsById = await selectUidsOfMany(db, ids);
  const out: AppointmentView[] = [];
  for (const row of rows) {
    const uids = await uidsOldestFirst(db, row.id, uidsById.get(row.id) ?? []);
    out.push(presentAppointment(row, uids, sinks.filter((s) => s.appointment_id === row.id), shownSinks));
  }
  return out;
}

/**
 * The booking's uids in reschedule-chain order, oldest first, as `previous_uids` promises.
 * (Fix: they were listed in table order, which after out-of-order deliveries is not the chain's order.)
 * With two uids or fewer there is at most one previous uid, so the events are read only for longer chains.
 */
async function uidsOldestFirst(db: Db, appointmentId: number, uids: string[]): Promise<string[]> {
  if (uids.length < 3) return uids;
  const events: KnownEvent[] = (await selectProcessedEventsOf(db, appointmentId)).map((r) => ({
    id: r.id,
    event: JSON.parse(r.event_json as string) as DomainEvent,
  }));
  const chain = uidChain(events);
  const position = (uid: string) => (chain.includes(uid) ? chain.indexOf(uid) : chain.length);
  return [...uids].sort((a, b) => position(a) - position(b));
}
