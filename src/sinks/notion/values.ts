// An appointment as Notion property values (request format). Pure: the sync decides when to write, this
// decides what. Every write carries every mapped property, so a page always shows one whole version.
import { locationLabel } from '../../appointments/location-label.js';
import type { AppointmentView } from '../../store/appointment-view.js';
import type { PropertyNames } from './property-names.js';
import type { SessionStatus } from './schema.js';

/** Notion's limits (request-limits page): text.content ≤ 2000 UTF-16 units, ≤ 100 rich-text items. */
const TEXT_CONTENT_MAX_CHARS = 2000;
const RICH_TEXT_MAX_ITEMS = 100;

export interface StoredAttendee {
  name: string | null;
  email: string;
  time_zone: string | null;
  no_show: boolean;
}

export function attendeesOf(row: AppointmentView): StoredAttendee[] {
  return row.attendees.filter((a) => typeof a?.email === 'string' && a.email.trim() !== '');
}

/** Emails are compared trimmed and lower-cased everywhere (one Clients page per such email). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface ClientFacts {
  email: string;
  name: string | null;
  phone: string | null;
}

/** The booker: the first attendee. A booking without attendees has no client. */
export function clientOf(row: AppointmentView): ClientFacts | null {
  const first = attendeesOf(row)[0];
  if (!first) return null;
  return { email: normaliseEmail(first.email), name: first.name?.trim() || null, phone: row.phone };
}

export function sessionStatusOf(row: AppointmentView, previousUids: readonly string[]): SessionStatus {
  switch (row.status) {
    case 'requested':
      return 'Requested';
    case 'cancelled':
      return 'Cancelled';
    case 'rejected':
      return 'Rejected';
    case 'completed':
      return row.no_show ? 'No-show' : 'Completed';
    default:
      // accepted (and anything newer this code does not know): the booking stands.
      if (row.no_show) return 'No-show';
      return previousUids.length > 0 ? 'Rescheduled' : 'Scheduled';
  }
}

/** The reason that belongs to the status shown: why it was cancelled, rejected or moved. */
export function sessionReasonOf(row: AppointmentView, status: SessionStatus): string | null {
  switch (status) {
    case 'Cancelled':
      return row.cancellation_reason;
    case 'Rejected':
      return row.rejection_reason;
    case 'Rescheduled':
      return row.reschedule_reason;
    case 'Requested':
      return row.reschedule_reason;
    default:
      return null;
  }
}

export function sessionTitleOf(row: AppointmentView): string {
  const title = row.title?.trim();
  if (title) return title;
  const who = clientOf(row)?.name ?? clientOf(row)?.email;
  const what = row.event_type ?? 'Booking';
  return who ? `${what} with ${who}` : `${what} ${row.calcom_booking_uid ?? row.id}`;
}

/** Request-format values of the Sessions page; unmapped (null) properties are left out. */
export function sessionProperties(row: AppointmentView, uids: readonly string[], clientPageId: string | null, names: PropertyNames): Record<string, unknown> {
  const previousUids = uids.filter((u) => u !== row.calcom_booking_uid);
  const status = sessionStatusOf(row, previousUids);
  const n = names.sessions;
  const out: Record<string, unknown> = {};
  const put = (name: string | null, value: unknown) => {
    if (name) out[name] = value;
  };
  put(n.Name, { title: richText(sessionTitleOf(row)) });
  put(n.Client, { relation: clientPageId ? [{ id: clientPageId }] : [] });
  put(n.When, { date: row.start_time ? { start: row.start_time, end: row.end_time ?? null } : null });
  put(n.Status, { select: { name: status } });
  put(n['Booking UID'], { rich_text: richText(row.calcom_booking_uid ?? '') });
  put(n['Event Type'], { rich_text: richText(row.event_type ?? (row.event_type_id !== null ? String(row.event_type_id) : null)) });
  put(n.Organizer, { email: row.organizer?.email ?? null });
  put(n.Location, { rich_text: locationRichText(row) });
  put(n.Notes, { rich_text: richText(row.notes) });
  put(n.Reason, { rich_text: richText(sessionReasonOf(row, status)) });
  return out;
}

export function clientProperties(client: ClientFacts, names: PropertyNames): Record<string, unknown> {
  const n = names.clients;
  const out: Record<string, unknown> = {};
  if (n.Name) out[n.Name] = { title: richText(client.name ?? client.email) };
  if (n.Email) out[n.Email] = { email: client.email };
  if (n.Phone) out[n.Phone] = { phone_number: client.phone ?? null };
  return out;
}

/** The location as people read it ("Cal Video", not `integrations:daily`), its meeting URL a clickable link. */
export function locationRichText(row: Pick<AppointmentView, 'location' | 'metadata'>): { type: 'text'; text: { content: string; link?: { url: string } } }[] {
  const label = locationLabel(row.location, row.metadata);
  if (!label) return [];
  if (!label.url) return richText(label.text);
  const link = { type: 'text' as const, text: { content: label.url, link: { url: label.url } } };
  return label.text === label.url ? [link] : [...richText(`${label.text.slice(0, 200)}: `), link];
}

/** Text as rich-text items within Notion's limits; longer text is cut (never a request Notion refuses). */
export function richText(text: string | null | undefined): { type: 'text'; text: { content: string } }[] {
  if (!text) return [];
  const items: { type: 'text'; text: { content: string } }[] = [];
  let rest = text;
  while (rest.length > 0 && items.length < RICH_TEXT_MAX_ITEMS) {
    let cut = Math.min(rest.length, TEXT_CONTENT_MAX_CHARS);
    // Never split a surrogate pair across two items.
    if (cut < rest.length && isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
    items.push({ type: 'text', text: { content: rest.slice(0, cut) } });
    rest = rest.slice(cut);
  }
  return items;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The plain text of a rich-text or title property value in a response. */
export function plainTextOf(value: unknown): string {
  const v = value as { type?: string; title?: { plain_text?: string }[]; rich_text?: { plain_text?: string }[] } | undefined;
  const items = v?.type === 'title' ? v.title : v?.rich_text;
  return (items ?? []).map((i) => i.plain_text ?? '').join('');
}
