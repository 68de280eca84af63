// Appointment rows as the API shows them (GET /api/appointments, POST /api/appointments): each with its
// uids in reschedule-chain order and its sync state per sink (src/store/appointment-views.ts, shared with
// the sinks), with `sync.<sink>` for every sink the registry shows in the API.
import { API_HIDDEN_SINKS, API_SYNC_SINKS } from '../sinks/registry.js';
import type { AppointmentView } from '../store/appointment-view.js';
import { presentAppointments } from '../store/appointment-views.js';
import type { AppointmentRow } from '../store/schema.js';
import type { Store } from '../store/store.js';

export async function presentRows(store: Store, rows: readonly AppointmentRow[]): Promise<AppointmentView[]> {
  return presentAppointments(store.db, rows, API_SYNC_SINKS, API_HIDDEN_SINKS);
}
