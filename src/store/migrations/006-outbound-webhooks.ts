// Tables of the outbound webhooks sink: the endpoints people register, one current message per endpoint and
// appointment (level-triggered: a newer version replaces a message not yet delivered), and the last
// attempts of each message for the admin page.
import type { Kysely } from 'kysely';
import type { DialectQuirks } from '../dialect.js';

export async function up(db: Kysely<unknown>, quirks: DialectQuirks): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', quirks.epochMsType, (c) => c.notNull())
    .addColumn('last_delivery_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('failing_since', 'text')
    .addColumn('failing_since_ms', quirks.epochMsType)
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_messages')
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('appointment_id', 'integer', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', quirks.epochMsType, (c) => c.notNull())
    .addColumn('heard', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_messages_pk', ['endpoint_id', 'appointment_id'])
    .execute();
  await db.schema.createIndex('webhook_messages_due').on('webhook_messages').columns(['endpoint_id', 'state', 'next_attempt_at']).execute();

  await quirks
    .addIdColumn(db.schema.createTable('webhook_attempts'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('appointment_id', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('status', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_attempts_message').on('webhook_attempts').columns(['message_id', 'id']).execute();
  await db.schema.createIndex('webhook_attempts_endpoint').on('webhook_attempts').columns(['endpoint_id']).execute();
}
