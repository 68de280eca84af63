// Row types of calsync's tables, shared by both dialects. Times that people read are ISO 8601 UTC text
// (lexical order is time order in both dialects); times that workers compare are epoch milliseconds.
// Booleans are 0/1 integers and JSON is text, so one set of queries serves SQLite and PostgreSQL.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type EventSource = 'webhook' | 'reconcile' | 'api' | 'replay';
/** processed: folded into an appointment; skipped: changes no appointment; parked: waits for its booking. */
export type EventResult = 'processed' | 'skipped' | 'parked';

export interface EventsTable {
  id: Generated<number>;
  received_at: string;
  source: EventSource;
  trigger: string;
  dedup_key: string;
  booking_uid: string | null;
  appointment_id: number | null;
  result: EventResult;
  action: string | null;
  /** Why it was skipped or parked. */
  reason: string | null;
  raw_body: string;
  /** JSON object of the request headers worth keeping (content-type, signature variant, webhook version, ...). */
  headers: string;
  /** JSON of the normalised DomainEvent; null for skipped triggers. */
  event_json: string | null;
  sent_at: string | null;
  duplicate_count: Generated<number>;
  last_duplicate_at: string | null;
  replay_of: number | null;
}

export interface AppointmentsTable {
  id: Generated<number>;
  calcom_booking_uid: string | null;
  calcom_booking_id: number | null;
  status: string;
  start_time: string | null;
  end_time: string | null;
  title: string | null;
  event_type_id: number | null;
  event_type: string | null;
  organizer_name: string | null;
  organizer_email: string | null;
  organizer_time_zone: string | null;
  /** JSON array of {name,email,time_zone,no_show}. */
  attendees: string;
  phone: string | null;
  notes: string | null;
  location: string | null;
  /** JSON object. */
  metadata: string;
  source: string;
  reschedule_reason: string | null;
  rescheduled_by: string | null;
  cancellation_reason: string | null;
  cancelled_by: string | null;
  request_reschedule: number;
  rejection_reason: string | null;
  no_show: number;
  payment_status: string | null;
  payment_id: string | null;
  conflict: number;
  /** Bumped on every change a sink mirrors; sinks compare it with their synced version. */
  version: number;
  /** Set when a later event proved this record and another are one booking (its events moved there). */
  merged_into: number | null;
  created_at: string;
  updated_at: string;
}

/** Every uid a booking has had (Cal.com gives a rescheduled booking a new uid). */
export interface AppointmentUidsTable {
  uid: string;
  appointment_id: number;
}

export interface SinkStateTable {
  sink: string;
  appointment_id: number;
  /** The appointment version last mirrored; 0 = never. */
  synced_version: number;
  /** pending | syncing | retrying | synced | failed | orphaned | retired (src/sinks/notion/README.md) */
  state: string;
  external_id: string | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  updated_at: string;
}

/** Small durable key/value facts (resolved Notion data source ids, sink pauses, ...). */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

/** Authentic (signed) deliveries that were refused: kept apart from the event log, bounded. */
export interface RejectedDeliveriesTable {
  id: Generated<number>;
  received_at: string;
  trigger: string | null;
  code: string;
  message: string;
  booking_uid: string | null;
}

export interface Database {
  events: EventsTable;
  appointments: AppointmentsTable;
  appointment_uids: AppointmentUidsTable;
  sink_state: SinkStateTable;
  settings: SettingsTable;
  rejected_deliveries: RejectedDeliveriesTable;
}

export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
export type AppointmentRow = Selectable<AppointmentsTable>;
export type NewAppointmentRow = Insertable<AppointmentsTable>;
export type AppointmentUpdate = Updateable<AppointmentsTable>;
export type SinkStateRow = Selectable<SinkStateTable>;
