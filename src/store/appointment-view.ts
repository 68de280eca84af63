// The contract's appointment shape (GET /api/appointments/:id, outbound webhook `data`), built from a stored row, its uids and its sink states.
import type { AppointmentRow, SinkStateRow } from './schema.js';

export interface AppointmentView {
  id: number;
  calcom_booking_uid: string | null;
  calcom_booking_id: number | null;
  previous_uids: string[];
  status: string;
  start_time: string | null;
  end_time: string | null;
  title: string | null;
  event_type_id: number | null;
  event_type: string | null;
  organizer: { name: string | null; email: string | null; time_zone: string | null } | null;
  attendees: { name: string | null; email: string; time_zone: string | null; no_show: boolean }[];
  phone: string | null;
  notes: string | null;
  location: string | null;
  metadata: Record<string, unknown>;
  source: string;
  reschedule_reason: string | null;
  rescheduled_by: string | null;
  cancellation_reason: string | null;
  cancelled_by: string | null;
  request_reschedule: boolean;
  rejection_reason: string | null;
  no_show: boolean;
  payment: { status: string; payment_id: string | null } | null;
  /** Cal.com's recurringEventId: occurrences of one recurring booking share it (each is its own appointment). */
  recurring_event_id: string | null;
  conflict: boolean;
  version: number;
  created_at: string;
  updated_at: string;
  sync: Record<string, SyncView>;
}

export interface SyncView {
  state: string;
  page_id: string | null;
  synced_version: number;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
}

/**
 * `shownSinks`: the sinks whose `sync.<name>` every appointment carries (the sink registry's API sinks,
 * src/sinks/registry.ts), as `not_mirrored` when that sink has never been asked to write it.
 */
export function presentAppointment(row: AppointmentRow, uids: readonly string[], sinks: readonly SinkStateRow[], shownSinks: readonly string[]): AppointmentView {
  const sync: Record<string, SyncView> = {};
  for (const s of sinks) {
    sync[s.sink] = {
      state: s.state,
      page_id: s.external_id,
      synced_version: s.synced_version,
      attempts: s.attempts,
      next_attempt_at: s.state === 'retrying' || s.state === 'pending' ? new Date(s.next_attempt_at).toISOString() : null,
      last_error: s.last_error,
    };
  }
  // The contract promises `sync.notion`; an appointment a mirror has never been asked to write (the sink
  // off, or switched on after its last change and not backfilled yet) says so instead of leaving the key out.
  for (const name of shownSinks) sync[name] ??= { state: 'not_mirrored', page_id: null, synced_version: 0, attempts: 0, next_attempt_at: null, last_error: null };
  return {
    id: row.id,
    calcom_booking_uid: row.calcom_booking_uid,
    calcom_booking_id: row.calcom_booking_id,
    previous_uids: uids.filter((u) => u !== row.calcom_booking_uid),
    status: row.status,
    start_time: row.start_time,
    end_time: row.end_time,
    title: row.title,
    event_type_id: row.event_type_id,
    event_type: row.event_type,
    organizer: row.organizer_email ? { name: row.organizer_name, email: row.organizer_email, time_zone: row.organizer_time_zone } : null,
    attendees: (JSON.parse(row.attendees) as AppointmentView['attendees']).map((a) => ({ name: a.name, email: a.email, time_zone: a.time_zone, no_show: a.no_show })),
    phone: row.phone,
    notes: row.notes,
    location: row.location,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    source: row.source,
    reschedule_reason: row.reschedule_reason,
    rescheduled_by: row.rescheduled_by,
    cancellation_reason: row.cancellation_reason,
    cancelled_by: row.cancelled_by,
    request_reschedule: row.request_reschedule === 1,
    rejection_reason: row.rejection_reason,
    no_show: row.no_show === 1,
    payment: row.payment_status ? { status: row.payment_status, payment_id: row.payment_id } : null,
    recurring_event_id: row.recurring_event_id ?? null,
    conflict: row.conflict === 1,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
    sync,
  };
}
