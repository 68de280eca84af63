// The one way an IncomingEvent is made, for every way into intake (the Cal.com webhook, the
// notion-handler API, replays, reconciliation and the create-booking API): what was read from the body,
// plus where it came from.
import type { DomainEvent } from '../appointments/types.js';
import { parseDelivery } from '../calcom/parse.js';
import { CalsyncError } from '../errors.js';
import type { EventSource } from '../store/schema.js';
import type { IncomingEvent } from './record-event.js';

/** What was read from a body: an event that changes an appointment, or a trigger that changes none. */
export type ReadEvent =
  | { trigger: string; dedupKey: string; bookingUid: string | null; event: DomainEvent }
  | { trigger: string; dedupKey: string; bookingUid: string | null; skip: string };

export interface EventOrigin {
  source: EventSource;
  /** The body as received (or as Cal.com's API returned it), kept with the event for replays. */
  rawBody: string;
  headers: Record<string, string>;
  /** The original event, when this is a replay. */
  replayOf?: number | null;
}

export function incomingEvent(read: ReadEvent, origin: EventOrigin): IncomingEvent {
  return {
    source: origin.source,
    trigger: read.trigger,
    dedupKey: read.dedupKey,
    bookingUid: read.bookingUid,
    rawBody: origin.rawBody,
    headers: origin.headers,
    event: 'event' in read ? read.event : null,
    skipReason: 'skip' in read ? read.skip : null,
    replayOf: origin.replayOf ?? null,
  };
}

/** A Cal.com webhook body read for intake; the parser's 4xx (unsupported_event, validation_error) otherwise. */
export function readDelivery(body: unknown): ReadEvent {
  const parsed = parseDelivery(body);
  if (!parsed.ok) throw new CalsyncError(parsed.code, parsed.message, parsed.issues ? { issues: parsed.issues } : undefined);
  return parsed;
}
