// Replaying a stored event: its stored raw body goes through the same path as a delivery (parseDelivery,
// then intake.submit), recorded as its own log row with source 'replay' and replay_of pointing at the
// original (a replay of a replay points at the same original). Its dedup key is the original's plus
// `:replay:N`, so it never counts as a duplicate of the original and each replay is its own row.
//
// Why this is safe: an appointment's state is a fold over the set of its events in their natural order
// (src/appointments/lifecycle.ts), and folding the same event twice gives the state of folding it once. So
// replaying a processed event changes nothing (no version bump, no sink work); a parked event whose
// booking is now known is folded in and its original row adopted (becomes processed); one whose booking is
// still unknown is parked again. A body that no longer parses (e.g. after a parser change) is refused with
// the parser's 4xx and nothing is stored.
import type { Logger } from 'pino';
import { parseDelivery } from '../calcom/parse.js';
import { SNAPSHOT_TRIGGER, snapshotFromStoredBody } from '../calcom/api/snapshot.js';
import { CalsyncError } from '../errors.js';
import type { Intake } from './intake.js';
import { incomingEvent, type ReadEvent } from './incoming.js';
import type { IntakeOutcome } from './record-event.js';
import { selectReplayIdsOf } from '../store/queries/event-log.js';
import { selectEventById } from '../store/queries/events.js';
import type { Store } from '../store/store.js';

/** Two replays racing for the same number: the loser takes the next one. */
const MAX_REPLAY_KEY_ATTEMPTS = 5;
export const REPLAY_HEADER = 'x-calsync-replay-of';

export interface ReplayDeps {
  store: Store;
  intake: Intake;
  log: Logger;
}

export interface ReplayResult {
  /** The event that was replayed (the root original, when a replay was replayed). */
  replayOf: number;
  outcome: IntakeOutcome;
}

export async function replayEvent(deps: ReplayDeps, eventId: number, by: 'api' | 'admin'): Promise<ReplayResult> {
  const target = await selectEventById(deps.store.db, eventId);
  if (!target) throw new CalsyncError('event_not_found', `No event ${eventId}`);
  const root = target.replay_of === null ? target : ((await selectEventById(deps.store.db, target.replay_of)) ?? target);

  const parsed = target.trigger === SNAPSHOT_TRIGGER ? reparseSnapshot(target.raw_body, eventId) : reparseDelivery(target.raw_body, eventId);

  const headers = { ...storedHeaders(target.headers), [REPLAY_HEADER]: String(root.id), 'x-calsync-replayed-by': by };
  for (let attempt = 1; attempt <= MAX_REPLAY_KEY_ATTEMPTS; attempt++) {
    const n = (await selectReplayIdsOf(deps.store.db, root.id)).length + attempt;
    const dedupKey = `${root.dedup_key}:replay:${n}`;
    const incoming = {
      ...incomingEvent({ ...parsed, dedupKey }, { source: 'replay', rawBody: target.raw_body, headers, replayOf: root.id }),
      webhookVersion: target.webhook_version ?? null,
    };
    const outcome = await deps.intake.submit(incoming);
    if (!outcome.duplicate) {
      deps.log.info({ event_id: outcome.eventId, replay_of: root.id, trigger: parsed.trigger, uid: parsed.bookingUid, result: outcome.status, by }, 'replay');
      return { replayOf: root.id, outcome };
    }
  }
  throw new CalsyncError('conflict', `Event ${eventId} is being replayed concurrently; try again`);
}

/** A stored event read again; its dedup key is the replay's own. */
type Reparsed = DistributiveOmit<ReadEvent, 'dedupKey'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function reparseDelivery(raw: string, eventId: number): Reparsed {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new CalsyncError('invalid_json', `The stored body of event ${eventId} is not JSON; it cannot be replayed`);
  }
  const parsed = parseDelivery(body);
  if (!parsed.ok) {
    throw new CalsyncError(parsed.code, `Event ${eventId} cannot be replayed: ${parsed.message}`, parsed.issues ? { issues: parsed.issues } : undefined);
  }
  return parsed;
}

/** Reconciliation and the create-booking API store the booking as Cal.com's API returned it, not a webhook. */
function reparseSnapshot(raw: string, eventId: number): Reparsed {
  const event = snapshotFromStoredBody(raw);
  if (!event) throw new CalsyncError('validation_error', `Event ${eventId} cannot be replayed: its stored booking snapshot no longer parses`);
  return { trigger: SNAPSHOT_TRIGGER, event, bookingUid: event.booking.uid };
}

function storedHeaders(json: string): Record<string, string> {
  try {
    const parsed = JSON.parse(json) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    }
  } catch {
    // Stored by an older version in another shape: replay without them.
  }
  return {};
}
