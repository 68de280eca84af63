// GET /api/appointments?calcom_uid=UID and GET /api/appointments/:id (Bearer INTERNAL_API_KEY).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CalsyncError } from '../../errors.js';
import { uidChain, type KnownEvent } from '../../appointments/lifecycle.js';
import type { DomainEvent } from '../../appointments/types.js';
import { selectAppointmentById, selectAppointments, selectUidsOfMany } from '../../store/queries/appointments.js';
import { selectProcessedEventsOf } from '../../store/queries/events.js';
import { selectSinkStates } from '../../store/queries/sinks.js';
import type { AppointmentRow } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import { presentAppointment, type AppointmentView } from '../../store/appointment-view.js';
import { parseOrThrow } from '../validate.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

const listQuery = z.object({
  calcom_uid: z.string().min(1).max(200).optional(),
  status: z.enum(['requested', 'accepted', 'cancelled', 'rejected', 'completed']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  before_id: z.coerce.number().int().positive().optional(),
});
const idParams = z.object({ id: z.coerce.number().int().positive() });

export async function presentRows(store: Store, rows: readonly AppointmentRow[]): Promise<AppointmentView[]> {
  const ids = rows.map((r) => r.id);
  const sinks = await selectSinkStates(store.db, ids);
  const uidsById = await selectUidsOfMany(store.db, ids);
  const out: AppointmentView[] = [];
  for (const row of rows) {
    const uids = await uidsOldestFirst(store, row.id, uidsById.get(row.id) ?? []);
    out.push(presentAppointment(row, uids, sinks.filter((s) => s.appointment_id === row.id)));
  }
  return out;
}

/**
 * The booking's uids in reschedule-chain order, oldest first, as `previous_uids` promises.
 * (Fix: they were listed in table order, which after out-of-order deliveries is not the chain's order.)
 * With two uids or fewer there is at most one previous uid, so the events are read only for longer chains.
 */
async function uidsOldestFirst(store: Store, appointmentId: number, uids: string[]): Promise<string[]> {
  if (uids.length < 3) return uids;
  const events: KnownEvent[] = (await selectProcessedEventsOf(store.db, appointmentId)).map((r) => ({
    id: r.id,
    event: JSON.parse(r.event_json as string) as DomainEvent,
  }));
  const chain = uidChain(events);
  const position = (uid: string) => (chain.includes(uid) ? chain.indexOf(uid) : chain.length);
  return [...uids].sort((a, b) => position(a) - position(b));
}

export async function appointmentReadRoutes(app: FastifyInstance, deps: { store: Store }): Promise<void> {
  app.get('/api/appointments', async (request) => {
    const q = parseOrThrow(listQuery, request.query);
    const rows = await selectAppointments(deps.store.db, { calcomUid: q.calcom_uid, status: q.status, limit: q.limit, beforeId: q.before_id });
    const appointments = await presentRows(deps.store, rows);
    const last = rows[rows.length - 1];
    return { appointments, next_before_id: rows.length === q.limit && last ? last.id : null };
  });

  app.get('/api/appointments/:id', async (request) => {
    const { id } = parseOrThrow(idParams, request.params);
    let row = await selectAppointmentById(deps.store.db, id);
    // A record merged into another (two uids proved to be one booking) answers with the survivor.
    while (row && row.merged_into !== null) row = await selectAppointmentById(deps.store.db, row.merged_into);
    if (!row) throw new CalsyncError('appointment_not_found', `No appointment ${id}`);
    const [view] = await presentRows(deps.store, [row]);
    return view;
  });
}
