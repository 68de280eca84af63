// The .ics invitations webhook version 2026-07-27 adds to CREATED, RESCHEDULED, REASSIGNED, CANCELLED and PAID
// (`attendeeIcsContent` for the attendees' emails, `organizerIcsContent` for the organizer's): the shape of
// the `ics` package's output that Cal.com's webhook ICS builder uses (CRLF lines, PRODID calcom/webhook-ics,
// METHOD REQUEST or CANCEL, the booking's iCalUID and iCalSequence).
import type { SampleContext } from './samples-context.js';

export const ICS_WEBHOOK_VERSION = '2026-07-27';

function icsTime(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 5545 text escaping. */
function icsText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

export function buildIcs(ctx: SampleContext, opts: { cancelled: boolean; sequence: number; for: 'attendee' | 'organizer' }): string {
  const o = ctx.organizer;
  const a = ctx.attendee;
  const partstat = opts.cancelled ? 'DECLINED' : 'ACCEPTED';
  const attendee =
    opts.for === 'attendee'
      ? `ATTENDEE;RSVP=TRUE;ROLE=REQ-PARTICIPANT;PARTSTAT=${partstat};CN=${icsText(a.name)}:mailto:${a.email}`
      : `ATTENDEE;RSVP=FALSE;ROLE=CHAIR;PARTSTAT=ACCEPTED;CN=${icsText(o.name)}:mailto:${o.email}`;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    'PRODID:calcom/webhook-ics',
    `METHOD:${opts.cancelled ? 'CANCEL' : 'REQUEST'}`,
    'X-PUBLISHED-TTL:PT1H',
    'BEGIN:VEVENT',
    `UID:${ctx.uid}@Cal.com`,
    `SUMMARY:${icsText(ctx.title)}`,
    `DTSTAMP:${icsTime(new Date(ctx.createdAt))}`,
    `DTSTART:${icsTime(ctx.start)}`,
    `DTEND:${icsTime(ctx.end)}`,
    `DESCRIPTION:${icsText(ctx.notes || `${ctx.eventTitle} booked on Cal.com`)}`,
    `LOCATION:${icsText(ctx.videoCallUrl ?? ctx.location)}`,
    `STATUS:${opts.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    `ORGANIZER;CN=${icsText(o.name)}:mailto:${o.email}`,
    attendee,
    `SEQUENCE:${opts.sequence}`,
    `X-MICROSOFT-CDO-BUSYSTATUS:${opts.cancelled ? 'FREE' : 'BUSY'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.join('\r\n') + '\r\n';
}
