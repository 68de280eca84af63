// GET /api/appointments?calcom_uid=UID and GET /api/appointments/:id (Bearer INTERNAL_API_KEY).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CalsyncError } from '../../errors.js';
import { selectAppointmentById, selectAppointments } from '../../store/queries/appointments.js';
import type { Store } from '../../store/store.js';
import { presentRows } from '../appointment-views.js';
import { parseOrThrow } from '../validate.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

const listQuery = z.object({
  calcom_uid: z.string().min(1).max(200).optional(),
  status: z.enum(['requested', 'accepted', 'cancelled', 'rejected', 'completed']).optional(),
  recurring_event_id: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  before_id: z.coerce.number().int().positive().optional(),
});
const idParams = z.object({ id: z.coerce.number().int().positive() });

export async function appointmentReadRoutes(app: FastifyInstance, deps: { store: Store }): Promise<void> {
  app.get('/api/appointments', async (request) => {
    const q = parseOrThrow(listQuery, request.query);
    const rows = await selectAppointments(deps.store.db, { calcomUid: q.calcom_uid, status: q.status, recurringEventId: q.recurring_event_id, limit: q.limit, beforeId: q.before_id });
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
