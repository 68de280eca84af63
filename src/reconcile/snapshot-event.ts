// A booking read from Cal.com's API, packaged for the intake like a webhook delivery: the snapshot event,
// its content-derived dedup key, and the booking as Cal.com reported it (kept as the event's raw body).
import { bookingSnapshot, snapshotDedupKey, SNAPSHOT_TRIGGER } from '../calcom/api/snapshot.js';
import { BOOKINGS_API_VERSION, type ApiBooking } from '../calcom/api/schemas.js';
import { incomingEvent } from '../intake/incoming.js';
import type { IncomingEvent } from '../intake/record-event.js';

export function snapshotIncoming(booking: ApiBooking, source: 'reconcile' | 'api', request: string): IncomingEvent {
  const event = bookingSnapshot(booking);
  return incomingEvent(
    { trigger: SNAPSHOT_TRIGGER, dedupKey: snapshotDedupKey(event), bookingUid: booking.uid, event },
    { source, rawBody: JSON.stringify(booking), headers: { 'cal-api-version': BOOKINGS_API_VERSION, 'calcom-request': request } },
  );
}
