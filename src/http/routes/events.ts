// The event log (Bearer INTERNAL_API_KEY):
//   GET  /api/events            filters trigger, result (processed|skipped|parked|rejected), booking_uid,
//                               appointment_id, since/until (ISO 8601, received time), limit, cursor.
//                               result=rejected lists the refused signed deliveries (rejected_deliveries:
//                               code and message, no body), which have their own ids (`rejected_id`).
//   GET  /api/events/failures   what needs attention, in one call: refused deliveries, parked events (the
//                               404s) and syncs that failed or are backing off, newest first.
//   GET  /api/events/:id        one event with its raw body, kept headers, normalised event and result.
//   POST /api/events/:id/replay re-runs a stored event through intake (see src/intake/replay.ts).
// Pages are newest first; `next_cursor` (opaque) fetches the next older page, null at the end.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CalsyncError } from '../../errors.js';
import type { IntakeOutcome } from '../../intake/record-event.js';
import { selectEventLog, selectRejectedDeliveries, selectReplayIdsOf, type EventListRow, type RejectedDeliveryRow } from '../../store/queries/event-log.js';
import { selectEventById } from '../../store/queries/events.js';
import { selectSyncFailures } from '../../store/queries/sink-admin.js';
import type { EventRow, SinkStateRow } from '../../store/schema.js';
import type { ServerDeps } from '../server.js';
import { parseOrThrow } from '../validate.js';
import { replayEvent } from '../../intake/replay.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { snakeCaseKeys } from '../snake-case.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
const DEFAULT_FAILURES_LIMIT = 50;

const isoInstant = z
  .string()
  .max(64)
  .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date or date-time')
  .transform((s) => new Date(s).toISOString());

const listQuery = z.object({
  trigger: z.string().min(1).max(100).optional(),
  result: z.enum(['processed', 'skipped', 'parked', 'rejected']).optional(),
  booking_uid: z.string().min(1).max(200).optional(),
  appointment_id: z.coerce.number().int().positive().optional(),
  since: isoInstant.optional(),
  until: isoInstant.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().max(100).optional(),
});
const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const failuresQuery = z.object({ limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_FAILURES_LIMIT) });

export function presentEventListItem(row: EventListRow) {
  return {
    id: row.id,
    received_at: row.received_at,
    source: row.source,
    trigger: row.trigger,
    booking_uid: row.booking_uid,
    appointment_id: row.appointment_id,
    result: row.result,
    action: row.action,
    reason: row.reason,
    sent_at: row.sent_at,
    duplicate_count: row.duplicate_count,
    last_duplicate_at: row.last_duplicate_at,
    replay_of: row.replay_of,
    dedup_key: row.dedup_key,
  };
}

export function presentRejected(row: RejectedDeliveryRow) {
  return {
    rejected_id: row.id,
    received_at: row.received_at,
    trigger: row.trigger,
    booking_uid: row.booking_uid,
    result: 'rejected' as const,
    code: row.code,
    message: row.message,
  };
}

export function presentEventDetail(row: EventRow, replays: number[]) {
  return {
    ...presentEventListItem(row),
    webhook_version: row.webhook_version ?? null,
    replays,
    headers: parseJsonOr(row.headers, {}),
    raw_body: row.raw_body,
    // Stored camelCase (DomainEvent); shown snake_case like the rest of the API.
    event: row.event_json === null ? null : snakeCaseKeys(parseJsonOr(row.event_json, null)),
  };
}

function presentSyncFailure(row: SinkStateRow) {
  return {
    sink: row.sink,
    appointment_id: row.appointment_id,
    state: row.state,
    attempts: row.attempts,
    last_error: row.last_error,
    next_attempt_at: new Date(row.next_attempt_at).toISOString(),
    updated_at: row.updated_at,
  };
}

export function presentReplay(replayOf: number, outcome: IntakeOutcome) {
  const base = { status: outcome.status, event_id: outcome.eventId, replay_of: replayOf };
  switch (outcome.status) {
    case 'processed':
      return { ...base, appointment_id: outcome.appointmentId, action: outcome.action };
    case 'skipped':
      return { ...base, appointment_id: outcome.appointmentId, reason: outcome.reason };
    case 'parked':
      return { ...base, booking_uid: outcome.bookingUid, reason: 'booking not yet known' };
  }
}

function parseJsonOr<T>(text: string, fallback: T): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

export async function eventLogRoutes(api: FastifyInstance, deps: ServerDeps): Promise<void> {
  const db = () => deps.store.db;

  api.get('/api/events', async (request) => {
    const q = parseOrThrow(listQuery, request.query);
    const range = { since: q.since, until: q.until, trigger: q.trigger, bookingUid: q.booking_uid, limit: q.limit };
    if (q.result === 'rejected') {
      const rows = await selectRejectedDeliveries(db(), { ...range, beforeId: q.cursor ? decodeCursor('rejected', q.cursor) : undefined });
      const last = rows[rows.length - 1];
      return { events: rows.map(presentRejected), next_cursor: rows.length === q.limit && last ? encodeCursor('rejected', last.id) : null };
    }
    const rows = await selectEventLog(db(), {
      ...range,
      result: q.result,
      appointmentId: q.appointment_id,
      beforeId: q.cursor ? decodeCursor('events', q.cursor) : undefined,
    });
    const last = rows[rows.length - 1];
    return { events: rows.map(presentEventListItem), next_cursor: rows.length === q.limit && last ? encodeCursor('events', last.id) : null };
  });

  api.get('/api/events/failures', async (request) => {
    const { limit } = parseOrThrow(failuresQuery, request.query);
    const [rejected, parked, sync] = [
      await selectRejectedDeliveries(db(), { limit }),
      await selectEventLog(db(), { result: 'parked', limit }),
      await selectSyncFailures(db(), limit),
    ];
    return { rejected: rejected.map(presentRejected), parked: parked.map(presentEventListItem), sync: sync.map(presentSyncFailure) };
  });

  api.get('/api/events/:id', async (request) => {
    const { id } = parseOrThrow(idParams, request.params);
    const row = await selectEventById(db(), id);
    if (!row) throw new CalsyncError('event_not_found', `No event ${id}`);
    return presentEventDetail(row, await selectReplayIdsOf(db(), id));
  });

  api.post('/api/events/:id/replay', async (request) => {
    const { id } = parseOrThrow(idParams, request.params);
    const { replayOf, outcome } = await replayEvent(deps, id, 'api');
    return presentReplay(replayOf, outcome);
  });
}
