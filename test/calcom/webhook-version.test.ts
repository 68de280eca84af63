// X-Cal-Webhook-Version (pure): absent = 2021-10-20, date-named versions accepted, anything else refused; and
// both payload versions parse to the same domain event, with no .ics text in it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDelivery } from '../../src/calcom/parse.js';
import { DEFAULT_WEBHOOK_VERSION, webhookVersionOf } from '../../src/calcom/webhook-version.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/calcom/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('webhookVersionOf', () => {
  it.each([
    [undefined, '2021-10-20'],
    ['', '2021-10-20'],
    ['2021-10-20', '2021-10-20'],
    [' 2026-07-27 ', '2026-07-27'],
    // A later Cal.com version: recorded as it is (versions only add fields).
    ['2027-03-01', '2027-03-01'],
  ])('%j is version %s', (header, version) => {
    expect(webhookVersionOf(header)).toEqual({ ok: true, version });
  });

  it.each([['v2'], ['2026-07-27; DROP TABLE events'], ['2026-7-27'], ['9'.repeat(5000)], [['2021-10-20', '2026-07-27']]])('refuses %j', (header) => {
    const result = webhookVersionOf(header as string | string[]);
    expect(result.ok).toBe(false);
  });

  it('defaults to the version Cal.com defaults to', () => {
    expect(DEFAULT_WEBHOOK_VERSION).toBe('2021-10-20');
  });
});

describe('2026-07-27 payloads', () => {
  it.each([
    ['booking_created', 'created'],
    ['booking_rescheduled', 'rescheduled'],
    ['booking_cancelled', 'cancelled'],
    ['booking_paid', 'paid'],
  ])('%s parses to the same event as its 2021-10-20 twin, without the .ics text', (name, kind) => {
    const v2026 = fixture(`${name}.v2026-07-27`);
    expect(JSON.stringify(v2026)).toContain('BEGIN:VCALENDAR');
    const a = parseDelivery(v2026);
    const b = parseDelivery(fixture(name));
    if (!a.ok || !b.ok || !('event' in a) || !('event' in b)) throw new Error('expected events');
    expect(a.event.kind).toBe(kind);
    expect(a.event).toEqual(b.event);
    expect(a.dedupKey).toBe(b.dedupKey);
    expect(JSON.stringify(a.event)).not.toContain('VCALENDAR');
  });

  it('refuses an .ics field that is not text (422 path)', () => {
    const body = fixture('booking_created.v2026-07-27');
    (body.payload as Record<string, unknown>).attendeeIcsContent = { ics: 1 };
    const result = parseDelivery(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues?.[0]?.path).toBe('payload.attendeeIcsContent');
  });
});
