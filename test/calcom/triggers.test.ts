import { describe, expect, it } from 'vitest';

import type { EventKind } from '../../src/appointments/types.js';
import { parseDelivery } from '../../src/calcom/parse.js';
import { CALCOM_TRIGGERS, isTrigger, TRIGGER_HANDLING, type Trigger } from '../../src/calcom/triggers.js';
import * as P from './payloads.js';

/** A realistic delivery of the shape each trigger's handler reads. */
function sampleFor(trigger: Trigger): Record<string, unknown> {
  if (trigger === 'BOOKING_NO_SHOW_UPDATED') return P.bookingNoShowUpdated();
  if (trigger === 'MEETING_STARTED' || trigger === 'MEETING_ENDED') return { ...P.meetingEndedFlat(), triggerEvent: trigger };
  return { ...P.bookingCreated(), triggerEvent: trigger };
}

describe('trigger table', () => {
  it('lists each trigger once, including PING and the legacy BOOKING_CONFIRMED', () => {
    expect(new Set(CALCOM_TRIGGERS).size).toBe(CALCOM_TRIGGERS.length);
    expect(CALCOM_TRIGGERS).toHaveLength(30);
    expect(CALCOM_TRIGGERS).toEqual(expect.arrayContaining(['PING', 'BOOKING_CONFIRMED', 'CALENDAR_ENTRY_REJECTED']));
  });

  it('has a handling for exactly the listed triggers', () => {
    expect(Object.keys(TRIGGER_HANDLING).sort()).toEqual([...CALCOM_TRIGGERS].sort());
  });

  it('produces every webhook event kind (all but snapshot)', () => {
    const kinds = new Set(
      Object.values(TRIGGER_HANDLING).flatMap((h) => (h.handle === 'event' ? [h.kind] : [])),
    );
    const expected: EventKind[] = [
      'requested', 'created', 'confirmed', 'rescheduled', 'cancelled', 'rejected',
      'no_show_updated', 'payment_initiated', 'paid', 'meeting_started', 'meeting_ended',
    ];
    expect([...kinds].sort()).toEqual(expected.sort());
  });

  it('recognises names exactly', () => {
    expect(isTrigger('BOOKING_CREATED')).toBe(true);
    expect(isTrigger('booking_created')).toBe(false);
    expect(isTrigger('BOOKING_COMPLETED')).toBe(false);
    expect(isTrigger('toString')).toBe(false);
  });

  it.each(CALCOM_TRIGGERS.map((t) => [t, TRIGGER_HANDLING[t]] as const))(
    '%s parses as its table entry says',
    (trigger, handling) => {
      const result = parseDelivery(sampleFor(trigger));
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.trigger).toBe(trigger);
      if (handling.handle === 'event') {
        expect('event' in result && result.event.kind).toBe(handling.kind);
      } else {
        expect('skip' in result && result.skip).toBe(handling.reason);
      }
    },
  );
});
