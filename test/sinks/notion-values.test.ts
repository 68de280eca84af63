// What an appointment looks like as Notion property values (pure, table-driven).
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROPERTY_NAMES, parsePropertyNames } from '../../src/sinks/notion/property-names.js';
import { clientOf, clientProperties, richText, sessionProperties, sessionStatusOf } from '../../src/sinks/notion/values.js';
import { presentAppointment, type AppointmentView } from '../../src/store/appointment-view.js';
import type { AppointmentRow } from '../../src/store/schema.js';

/** The appointment as a sink receives it (its contract view), built from a stored row. */
function row(overrides: Partial<AppointmentRow> = {}): AppointmentView {
  return presentAppointment(stored(overrides), ['uid-now'], [], []);
}

function stored(overrides: Partial<AppointmentRow>): AppointmentRow {
  return {
    id: 7,
    calcom_booking_uid: 'uid-now',
    calcom_booking_id: 1,
    status: 'accepted',
    start_time: '2031-01-06T09:00:00.000Z',
    end_time: '2031-01-06T09:30:00.000Z',
    title: '30 Min Meeting between Dana and Jamie',
    event_type_id: 1201,
    event_type: '30min',
    organizer_name: 'Dana',
    organizer_email: 'dana@studio.example.com',
    organizer_time_zone: 'Europe/Berlin',
    attendees: JSON.stringify([{ name: 'Jamie', email: ' Jamie@Example.com ', time_zone: null, no_show: false }]),
    phone: '+1 555 0100',
    notes: 'Hello',
    location: 'Cal Video',
    metadata: '{}',
    source: 'calcom_direct',
    reschedule_reason: 'Clash',
    rescheduled_by: null,
    cancellation_reason: 'Ill',
    cancelled_by: null,
    request_reschedule: 0,
    rejection_reason: 'Full',
    no_show: 0,
    payment_status: null,
    payment_id: null,
    conflict: 0,
    version: 3,
    merged_into: null,
    recurring_event_id: null,
    created_at: '2031-01-01T00:00:00.000Z',
    updated_at: '2031-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('sessionStatusOf', () => {
  it.each([
    ['requested', 0, [], 'Requested'],
    ['accepted', 0, [], 'Scheduled'],
    ['accepted', 0, ['uid-before'], 'Rescheduled'],
    ['accepted', 1, [], 'No-show'],
    ['cancelled', 0, ['uid-before'], 'Cancelled'],
    ['rejected', 0, [], 'Rejected'],
    ['completed', 0, [], 'Completed'],
    ['completed', 1, [], 'No-show'],
  ] as const)('%s (no_show %i, previous %j) → %s', (status, noShow, previous, expected) => {
    expect(sessionStatusOf(row({ status, no_show: noShow }), previous)).toBe(expected);
  });
});

describe('sessionProperties', () => {
  it('writes every mapped property, the reason that belongs to the status, and the client relation', () => {
    const props = sessionProperties(row({ status: 'cancelled' }), ['uid-before', 'uid-now'], 'client-page', DEFAULT_PROPERTY_NAMES);
    expect(props).toEqual({
      Name: { title: [{ type: 'text', text: { content: '30 Min Meeting between Dana and Jamie' } }] },
      Client: { relation: [{ id: 'client-page' }] },
      When: { date: { start: '2031-01-06T09:00:00.000Z', end: '2031-01-06T09:30:00.000Z' } },
      Status: { select: { name: 'Cancelled' } },
      'Booking UID': { rich_text: [{ type: 'text', text: { content: 'uid-now' } }] },
      'Event Type': { rich_text: [{ type: 'text', text: { content: '30min' } }] },
      Organizer: { email: 'dana@studio.example.com' },
      Location: { rich_text: [{ type: 'text', text: { content: 'Cal Video' } }] },
      Notes: { rich_text: [{ type: 'text', text: { content: 'Hello' } }] },
      Reason: { rich_text: [{ type: 'text', text: { content: 'Ill' } }] },
    });
  });

  it('clears values that are gone and leaves unmapped properties out', () => {
    const names = parsePropertyNames(JSON.stringify({ sessions: { When: 'Date', Notes: null } }));
    const props = sessionProperties(row({ notes: null, location: null, start_time: null }), [], null, names);
    expect(props).not.toHaveProperty('Notes');
    expect(props).not.toHaveProperty('When');
    expect(props.Date).toEqual({ date: null });
    expect(props.Location).toEqual({ rich_text: [] });
    expect(props.Reason).toEqual({ rich_text: [] });
    expect(props.Client).toEqual({ relation: [] });
  });
});

describe('clients', () => {
  it('the first attendee is the client, by trimmed lower-cased email', () => {
    const client = clientOf(row());
    expect(client).toEqual({ email: 'jamie@example.com', name: 'Jamie', phone: '+1 555 0100' });
    expect(clientProperties(client!, DEFAULT_PROPERTY_NAMES)).toEqual({
      Name: { title: [{ type: 'text', text: { content: 'Jamie' } }] },
      Email: { email: 'jamie@example.com' },
      Phone: { phone_number: '+1 555 0100' },
    });
    expect(clientOf(row({ attendees: '[]' }))).toBeNull();
  });
});

describe('richText', () => {
  it("splits long text into Notion's 2000-character items without cutting a surrogate pair", () => {
    const text = 'a'.repeat(1999) + '😀' + 'b'.repeat(10);
    const items = richText(text);
    expect(items.map((i) => i.text.content.length)).toEqual([1999, 12]);
    expect(items.map((i) => i.text.content).join('')).toBe(text);
  });

  it('never sends more than 100 items', () => {
    expect(richText('x'.repeat(2000 * 150))).toHaveLength(100);
  });
});
