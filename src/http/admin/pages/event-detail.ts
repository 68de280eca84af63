// /admin/events/:id: one event with its result, its raw payload as received, and a replay button.
import type { EventRow } from '../../../store/schema.js';
import { orDash, prettyJson, shortTime } from '../format.js';
import { html } from '../html.js';
import { page, postButton, stateTag } from '../layout.js';
import { snakeCaseKeys } from '../../snake-case.js';

export interface EventDetailData {
  row: EventRow;
  replays: number[];
  csrfToken: string;
  notice: { text: string; error?: boolean } | null;
}

export function eventDetailPage(data: EventDetailData): string {
  const e = data.row;
  const replays =
    data.replays.length === 0 ? html`<span class="muted">none</span>` : data.replays.map((id, i) => html`${i > 0 ? ', ' : ''}<a href="/admin/events/${id}">#${id}</a>`);
  return page(
    { title: `Event ${e.id}`, csrfToken: data.csrfToken, current: 'events', notice: data.notice },
    html`<h1>Event #${e.id} · ${e.trigger}</h1>
<dl id="event">
<dt>Result</dt><dd>${stateTag(e.result)} ${orDash(e.action ?? e.reason)}</dd>
<dt>Appointment</dt><dd>${e.appointment_id !== null ? html`<a href="/admin/appointments/${e.appointment_id}">#${e.appointment_id}</a> <span class="muted">(<a href="/admin/events?appointment_id=${e.appointment_id}">its events</a>)</span>` : html`<span class="muted">—</span>`}</dd>
<dt>Booking uid</dt><dd>${orDash(e.booking_uid)}</dd>
<dt>Received</dt><dd>${shortTime(e.received_at)} <span class="muted">via ${e.source}</span></dd>
<dt>Sent by Cal.com</dt><dd>${shortTime(e.sent_at)}</dd>
<dt>Repeated deliveries</dt><dd>${e.duplicate_count}${e.last_duplicate_at ? html` <span class="muted">(last ${shortTime(e.last_duplicate_at)})</span>` : ''}</dd>
<dt>Replay of</dt><dd>${e.replay_of !== null ? html`<a href="/admin/events/${e.replay_of}">#${e.replay_of}</a>` : html`<span class="muted">—</span>`}</dd>
<dt>Replays</dt><dd>${replays}</dd>
<dt>Dedup key</dt><dd class="muted">${e.dedup_key}</dd>
</dl>
<p>${postButton(`/admin/events/${e.id}/replay`, 'Replay this event', data.csrfToken)}
<span class="muted">Runs the stored body through intake again as a new log entry; applying an event twice changes nothing, a parked event is applied if its booking is now known.</span></p>
<h2>Raw payload</h2>
<pre id="raw-body">${prettyJson(e.raw_body)}</pre>
<h2>Kept headers</h2>
<pre>${prettyJson(e.headers)}</pre>
${e.event_json !== null ? html`<details><summary>Normalised event</summary><pre>${normalisedEvent(e.event_json)}</pre></details>` : ''}`,
  );
}

/** The normalised event as the API shows it (snake_case). */
function normalisedEvent(eventJson: string): string {
  try {
    return JSON.stringify(snakeCaseKeys(JSON.parse(eventJson)), null, 2);
  } catch {
    return eventJson;
  }
}

export function errorPage(status: number, message: string, csrfToken: string | undefined): string {
  return page(
    { title: `Error ${status}`, csrfToken, notice: { text: message, error: true } },
    html`<p><a href="/admin">Back to the overview</a></p>`,
  );
}
