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
  /** Cal.com's X-Cal-Webhook-Version of a webhook delivery (absent header = 2021-10-20); null for other sources. */
  webhook_version: string | null;
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
  /**
   * Cal.com's `recurringEventId`: the series this occurrence belongs to (one appointment per occurrence).
   * Optional in the type only (migration 005 added it late), so rows built by hand elsewhere stay valid.
   */
  recurring_event_id?: string | null | undefined;
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
/** A logged-in admin browser (migration 004): the SHA-256 of its cookie token, never the token. */
export interface AdminSessionsTable {
  token_hash: string;
  expires_at_ms: number;
  created_at: string;
}

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

/** A request refused for its signature (migration 007): never its body. */
export interface RefusedSignaturesTable {
  id: Generated<number>;
  received_at: string;
  /** missing | no_secret_provided | malformed | mismatch */
  reason: string;
  source_ip: string | null;
  trigger: string | null;
  user_agent: string | null;
}

/** The sync backlog in one 5-minute bucket (migration 007). */
export interface SyncBacklogSamplesTable {
  bucket_ms: number;
  at: string;
  backlog: number;
  failed: number;
}

/** An outbound webhook receiver (CONTRACT "Outbound webhooks"). */
export interface WebhookEndpointsTable {
  /** `ep_...` */
  id: string;
  url: string;
  description: string | null;
  /** `whsec_` + base64 of the signing key. */
  secret: string;
  enabled: number;
  disabled_reason: string | null;
  created_at: string;
  created_at_ms: number;
  last_delivery_at: string | null;
  /** HTTP status of the last attempt; null when it got none (timeout, network error). */
  last_status: number | null;
  last_error: string | null;
  /** First failure since the last success; null while healthy. */
  failing_since: string | null;
  failing_since_ms: number | null;
  updated_at: string;
}

/** The current message of one endpoint and appointment (pending|sending|retrying|delivered|failed). */
export interface WebhookMessagesTable {
  endpoint_id: string;
  appointment_id: number;
  /** The `webhook-id` (`msg_...`), new for every message, the same on each retry. */
  message_id: string;
  version: number;
  event_type: string;
  /** Frozen when the message is made: every attempt sends these exact bytes. */
  body: string;
  state: string;
  attempts: number;
  /** Due time (epoch ms); while `sending`, the end of the sender's lease. */
  next_attempt_at: number;
  /** 1 once a message of this appointment reached the endpoint (later ones are `appointment.updated`). */
  heard: number;
  created_at: string;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
  updated_at: string;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  message_id: string;
  endpoint_id: string;
  appointment_id: number;
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface Database {
  events: EventsTable;
  appointments: AppointmentsTable;
  appointment_uids: AppointmentUidsTable;
  sink_state: SinkStateTable;
  settings: SettingsTable;
  admin_sessions: AdminSessionsTable;
  rejected_deliveries: RejectedDeliveriesTable;
  refused_signatures: RefusedSignaturesTable;
  sync_backlog_samples: SyncBacklogSamplesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_messages: WebhookMessagesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
export type AppointmentRow = Selectable<AppointmentsTable>;
export type NewAppointmentRow = Insertable<AppointmentsTable>;
export type AppointmentUpdate = Updateable<AppointmentsTable>;
export type SinkStateRow = Selectable<SinkStateTable>;
export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookMessageRow = Selectable<WebhookMessagesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
