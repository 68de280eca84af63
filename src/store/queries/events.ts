// The append-only event log. Rows are never deleted; a parked row is updated once its booking appears.
// The statements on every webhook's path are compiled once per shape (../compiled.ts): building and compiling
// a query each time was a large share of the intake's CPU and allocation (see BENCHMARKS.md).
import { sql, type RawBuilder } from 'kysely';
import { compiledStatement } from '../compiled.js';
import type { Db } from '../db.js';
import type { EventResult, EventRow, NewEventRow } from '../schema.js';

export async function selectEventByDedupKey(db: Db, dedupKey: string): Promise<EventRow | undefined> {
  const { rows } = await sql<EventRow>`select * from events where dedup_key = ${dedupKey}`.execute(db);
  return rows[0];
}

export type DeliveryRow = Pick<EventRow, 'id' | 'result' | 'appointment_id' | 'action' | 'reason' | 'booking_uid'>;

/** Where an appointment sits (organizer and times), to choose the locks of an overlap check. */
export interface UidOwnerPlacement {
  organizer_email: string | null;
  start_time: string | null;
  end_time: string | null;
}

/**
 * The intake's first look-up in one statement (one round trip), made after the uid locks: the log row of an
 * earlier delivery with this dedup key, if any; which appointment each of `uids` belongs to (uids not
 * registered are absent) and where each of those appointments sits; and the parked events of `uids`, in
 * log order (what a new appointment of these uids folds in; parked rows of a uid are written only under its
 * lock, so they are as current here as in any later statement of the transaction).
 */
export async function selectDeliveryAndUidOwners(
  db: Db,
  dedupKey: string,
  uids: readonly string[],
): Promise<{
  delivery: DeliveryRow | undefined;
  owners: Map<string, number>;
  placements: Map<number, UidOwnerPlacement>;
  parked: Pick<EventRow, 'id' | 'event_json'>[];
}> {
  const { rows } = await SELECT_DELIVERY_AND_UID_OWNERS(db, { dedupKey, uids });
  let delivery: DeliveryRow | undefined;
  const owners = new Map<string, number>();
  const placements = new Map<number, UidOwnerPlacement>();
  const parked: Pick<EventRow, 'id' | 'event_json'>[] = [];
  for (const r of rows) {
    if (r.kind === 'event') {
      delivery = { id: r.id, result: r.result, appointment_id: r.appointment_id, action: r.action, reason: r.reason, booking_uid: r.booking_uid };
    } else if (r.kind === 'parked') {
      parked.push({ id: r.id, event_json: r.event_json });
    } else if (r.uid !== null && r.appointment_id !== null) {
      owners.set(r.uid, r.appointment_id);
      if (r.found !== null) {
        placements.set(r.appointment_id, { organizer_email: r.organizer_email, start_time: r.start_time, end_time: r.end_time });
      }
    }
  }
  parked.sort((a, b) => a.id - b.id);
  return { delivery, owners, placements, parked };
}

type DeliveryAndOwnersRow = DeliveryRow &
  UidOwnerPlacement & { kind: 'event' | 'uid' | 'parked'; uid: string | null; found: number | null; event_json: string | null };

const SELECT_DELIVERY_AND_UID_OWNERS = compiledStatement('select-delivery-and-uid-owners', ({ dedupKey, uids }: { dedupKey: string; uids: readonly string[] }) => {
  const byKey = sql<DeliveryAndOwnersRow>`select 'event' as kind, id, result, appointment_id, action, reason, booking_uid, null as uid,
      null as found, null as organizer_email, null as start_time, null as end_time, null as event_json
    from events where dedup_key = ${dedupKey}`;
  if (uids.length === 0) return byKey;
  return sql<DeliveryAndOwnersRow>`${byKey}
    union all
    select 'uid' as kind, null, null, u.appointment_id, null, null, null, u.uid,
      a.id, a.organizer_email, a.start_time, a.end_time, null
    from appointment_uids u left join appointments a on a.id = u.appointment_id
    where u.uid in (${sql.join(uids)})
    union all
    select 'parked' as kind, id, null, null, null, null, null, null, null, null, null, null, event_json
    from events where booking_uid in (${sql.join(uids)}) and result = 'parked'`;
});

/** Inserts unless the dedup key exists (another delivery got there first); returns the new id or null. */
export async function insertEvent(db: Db, row: NewEventRow): Promise<number | null> {
  const { rows } = await INSERT_EVENT(db, eventValues(row));
  return rows[0]?.id ?? null;
}

/** An event row's values with every column present (what `eventInsert` takes). */
export type EventValues = {
  [K in Exclude<keyof NewEventRow, 'id' | 'duplicate_count'>]-?: Exclude<NewEventRow[K], undefined>;
};

export function eventValues(row: NewEventRow): EventValues {
  return {
    received_at: row.received_at,
    source: row.source,
    trigger: row.trigger,
    dedup_key: row.dedup_key,
    booking_uid: row.booking_uid ?? null,
    appointment_id: row.appointment_id ?? null,
    result: row.result,
    action: row.action ?? null,
    reason: row.reason ?? null,
    raw_body: row.raw_body,
    headers: row.headers,
    event_json: row.event_json ?? null,
    sent_at: row.sent_at ?? null,
    last_duplicate_at: row.last_duplicate_at ?? null,
    replay_of: row.replay_of ?? null,
    webhook_version: row.webhook_version ?? null,
  };
}

/** `insert into events ... on conflict (dedup_key) do nothing returning id`; `appointmentId` overrides the row's. */
export function eventInsert(row: EventValues, appointmentId: RawBuilder<unknown> | number | null = row.appointment_id): RawBuilder<{ id: number }> {
  return sql<{ id: number }>`
    insert into events (received_at, source, trigger, dedup_key, booking_uid, appointment_id, result, action, reason,
                        raw_body, headers, event_json, sent_at, duplicate_count, last_duplicate_at, replay_of, webhook_version)
    values (${row.received_at}, ${row.source}, ${row.trigger}, ${row.dedup_key}, ${row.booking_uid},
            ${appointmentId}, ${row.result}, ${row.action}, ${row.reason}, ${row.raw_body},
            ${row.headers}, ${row.event_json}, ${row.sent_at}, 0, ${row.last_duplicate_at},
            ${row.replay_of}, ${row.webhook_version})
    on conflict (dedup_key) do nothing
    returning id`;
}

const INSERT_EVENT = compiledStatement('insert-event', (row: EventValues) => eventInsert(row));

export async function countDuplicateDelivery(db: Db, id: number, at: string): Promise<void> {
  await db
    .updateTable('events')
    .set({ duplicate_count: sql`duplicate_count + 1`, last_duplicate_at: at })
    .where('id', '=', id)
    .execute();
}

export interface EventOutcomeUpdate {
  result: EventResult;
  appointment_id: number | null;
  action: string | null;
  reason: string | null;
  event_json?: string | null;
  booking_uid?: string | null;
}

export async function updateEventOutcome(db: Db, id: number, outcome: EventOutcomeUpdate): Promise<void> {
  await db.updateTable('events').set(outcome).where('id', '=', id).execute();
}

/** Events folded into one appointment, in log order. */
export async function selectProcessedEventsOf(db: Db, appointmentId: number): Promise<Pick<EventRow, 'id' | 'event_json'>[]> {
  return db
    .selectFrom('events')
    .select(['id', 'event_json'])
    .where('appointment_id', '=', appointmentId)
    .where('result', '=', 'processed')
    .where('event_json', 'is not', null)
    .orderBy('id')
    .execute();
}

/**
 * Everything a fold of one appointment reads, in one statement (one round trip): its processed events and
 * the parked events that speak of any of its uids, in log order. The two sets are disjoint (by `result`).
 */
export async function selectFoldEventsOf(db: Db, appointmentId: number): Promise<Pick<EventRow, 'id' | 'event_json' | 'result'>[]> {
  return (await SELECT_FOLD_EVENTS(db, { appointmentId })).rows;
}

const SELECT_FOLD_EVENTS = compiledStatement(
  'select-fold-events',
  ({ appointmentId }: { appointmentId: number }) => sql<Pick<EventRow, 'id' | 'event_json' | 'result'>>`
    select id, event_json, result from events
    where appointment_id = ${appointmentId} and result = 'processed' and event_json is not null
    union all
    select id, event_json, result from events
    where booking_uid in (select uid from appointment_uids where appointment_id = ${appointmentId}) and result = 'parked'
    order by id`,
);

export async function moveEventsToAppointment(db: Db, fromAppointmentId: number, toAppointmentId: number): Promise<void> {
  await db.updateTable('events').set({ appointment_id: toAppointmentId }).where('appointment_id', '=', fromAppointmentId).execute();
}

export async function selectEventById(db: Db, id: number): Promise<EventRow | undefined> {
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertRejectedDelivery(
  db: Db,
  row: { received_at: string; trigger: string | null; code: string; message: string; booking_uid: string | null },
): Promise<void> {
  await db.insertInto('rejected_deliveries').values(row).execute();
}

/** Keeps the table of refused deliveries bounded. */
export async function pruneRejectedDeliveries(db: Db, keep: number): Promise<void> {
  const cutoff = await db
    .selectFrom('rejected_deliveries')
    .select('id')
    .orderBy('id', 'desc')
    .offset(keep)
    .limit(1)
    .executeTakeFirst();
  if (cutoff) await db.deleteFrom('rejected_deliveries').where('id', '<=', cutoff.id).execute();
}
