import type { Kysely } from 'kysely';
import type { DialectQuirks } from '../dialect.js';

export async function up(db: Kysely<unknown>, quirks: DialectQuirks): Promise<void> {
  await quirks
    .addIdColumn(db.schema.createTable('events'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
    .addColumn('booking_uid', 'text')
    .addColumn('appointment_id', 'integer')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('reason', 'text')
    .addColumn('raw_body', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('event_json', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('duplicate_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_duplicate_at', 'text')
    .addColumn('replay_of', 'integer')
    .execute();
  await db.schema.createIndex('events_appointment').on('events').columns(['appointment_id', 'id']).execute();
  await db.schema.createIndex('events_booking_uid').on('events').columns(['booking_uid']).execute();
  await db.schema.createIndex('events_received').on('events').columns(['received_at']).execute();
  await db.schema.createIndex('events_result').on('events').columns(['result', 'id']).execute();

  await quirks
    .addIdColumn(db.schema.createTable('appointments'))
    .addColumn('calcom_booking_uid', 'text')
    .addColumn('calcom_booking_id', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('start_time', 'text')
    .addColumn('end_time', 'text')
    .addColumn('title', 'text')
    .addColumn('event_type_id', 'integer')
    .addColumn('event_type', 'text')
    .addColumn('organizer_name', 'text')
    .addColumn('organizer_email', 'text')
    .addColumn('organizer_time_zone', 'text')
    .addColumn('attendees', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('notes', 'text')
    .addColumn('location', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('reschedule_reason', 'text')
    .addColumn('rescheduled_by', 'text')
    .addColumn('cancellation_reason', 'text')
    .addColumn('cancelled_by', 'text')
    .addColumn('request_reschedule', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejection_reason', 'text')
    .addColumn('no_show', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('payment_status', 'text')
    .addColumn('payment_id', 'text')
    .addColumn('conflict', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('merged_into', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Overlap look-ups ask for "ends after my start and starts before my end": the range on end_time is short
  // (an organizer's appointments still running or upcoming), while a range on start_time would cover the
  // organizer's whole past.
  await db.schema
    .createIndex('appointments_organizer_end')
    .on('appointments')
    .columns(['organizer_email', 'end_time'])
    .execute();
  await db.schema.createIndex('appointments_updated').on('appointments').columns(['updated_at']).execute();

  await db.schema
    .createTable('appointment_uids')
    .addColumn('uid', 'text', (c) => c.primaryKey())
    .addColumn('appointment_id', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('appointment_uids_appointment').on('appointment_uids').columns(['appointment_id']).execute();

  await db.schema
    .createTable('sink_state')
    .addColumn('sink', 'text', (c) => c.notNull())
    .addColumn('appointment_id', 'integer', (c) => c.notNull())
    .addColumn('synced_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', quirks.epochMsType, (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sink_state_pk', ['sink', 'appointment_id'])
    .execute();
  await db.schema
    .createIndex('sink_state_due')
    .on('sink_state')
    .columns(['sink', 'state', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await quirks
    .addIdColumn(db.schema.createTable('rejected_deliveries'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('booking_uid', 'text')
    .execute();
  await db.schema.createIndex('rejected_received').on('rejected_deliveries').columns(['received_at']).execute();
}
