// GET /api/events/:id shows the normalised event in snake_case, like every other field of the API; the
// booking's metadata keeps the keys its owner chose.
import { describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { snakeCaseKey } from '../../src/http/snake-case.js';
import { useTestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';

function keysOutsideVerbatim(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keysOutsideVerbatim(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [`${path}.${k}`, ...(k === 'metadata' || k === 'responses' ? [] : keysOutsideVerbatim(v, `${path}.${k}`))]);
}

describe('snakeCaseKey', () => {
  it.each([
    ['startTime', 'start_time'],
    ['previousUid', 'previous_uid'],
    ['requestReschedule', 'request_reschedule'],
    ['eventTypeId', 'event_type_id'],
    ['uid', 'uid'],
    ['already_snake', 'already_snake'],
  ])('%s → %s', (from, to) => expect(snakeCaseKey(from)).toBe(to));
});

describe.each(STORE_KINDS)('the normalised event in /api/events/:id (%s)', (kind) => {
  const server = useTestServer({ kind });

  it('is snake_case throughout, metadata as sent', async () => {
    const uid = makeBookingUid(`event-case-${kind}`);
    const res = await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid, metadata: { crmId: 'c-1' } }));
    expect(res.status).toBe(200);
    const list = (await (await server.api(`/api/events?booking_uid=${uid}`)).json()) as { events: { id: number }[] };
    const detail = (await (await server.api(`/api/events/${list.events[0]!.id}`)).json()) as { event: Record<string, any> };
    const keys = keysOutsideVerbatim(detail.event);
    expect(keys.filter((k) => /[A-Z]/.test(k.split('.').pop()!))).toEqual([]);
    expect(detail.event.booking).toMatchObject({ uid, start_time: expect.any(String), end_time: expect.any(String), event_type_id: expect.any(Number) });
    expect(detail.event).toHaveProperty('previous_uid', null);
    expect(detail.event).toHaveProperty('request_reschedule', false);
    expect(detail.event.booking.metadata).toMatchObject({ crmId: 'c-1' });
  });
});
