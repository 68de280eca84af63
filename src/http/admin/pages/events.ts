// /admin/events: the event log, newest first, filterable; /admin/rejected: the refused signed deliveries.
import type { EventListRow, RejectedDeliveryRow } from '../../../store/queries/event-log.js';
import { orDash, shortTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { page, stateTag } from '../layout.js';

export interface EventFilters {
  trigger?: string;
  result?: string;
  booking_uid?: string;
  appointment_id?: number;
}

export interface EventsPageData {
  rows: EventListRow[];
  filters: EventFilters;
  nextCursor: string | null;
  csrfToken: string;
}

const RESULTS = ['processed', 'skipped', 'parked'] as const;

function filterForm(f: EventFilters): SafeHtml {
  const options = RESULTS.map((r) => (f.result === r ? html`<option selected>${r}</option>` : html`<option>${r}</option>`));
  return html`<form class="filters" method="get" action="/admin/events">
<label>Trigger<input name="trigger" value="${f.trigger ?? ''}" placeholder="BOOKING_CREATED" size="18"></label>
<label>Result<select name="result"><option value="">any</option>${options}</select></label>
<label>Booking uid<input name="booking_uid" value="${f.booking_uid ?? ''}" size="22"></label>
${f.appointment_id !== undefined ? html`<input type="hidden" name="appointment_id" value="${f.appointment_id}">` : ''}
<button type="submit">Filter</button> <a href="/admin/events">clear</a>
</form>`;
}

/** A filtered list says so, with what filters it and how to see everything again. */
function filterNotice(f: EventFilters): SafeHtml {
  const parts: SafeHtml[] = [];
  if (f.trigger !== undefined) parts.push(html`trigger <b>${f.trigger}</b>`);
  if (f.result !== undefined) parts.push(html`result <b>${f.result}</b>`);
  if (f.booking_uid !== undefined) parts.push(html`booking uid <b>${f.booking_uid}</b>`);
  if (f.appointment_id !== undefined) parts.push(html`appointment <a href="/admin/appointments/${f.appointment_id}">#${f.appointment_id}</a>`);
  if (parts.length === 0) return html``;
  return html`<p class="notice" id="list-filter">Filtered by ${parts.map((p, i) => html`${i > 0 ? ', ' : ''}${p}`)}. <a href="/admin/events">Clear the filters</a> to see every event.</p>`;
}

function nextPageHref(f: EventFilters, cursor: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') params.set(k, String(v));
  params.set('cursor', cursor);
  return `/admin/events?${params.toString()}`;
}

export function eventsPage(data: EventsPageData): string {
  const rows = data.rows.map(
    (e) => html`<tr data-event="${e.id}">
<td data-label="#"><a href="/admin/events/${e.id}">${e.id}</a></td>
<td data-label="Received">${shortTime(e.received_at)}</td>
<td data-label="Trigger">${e.trigger}${e.source !== 'webhook' ? html` <span class="muted">(${e.source}${e.replay_of !== null ? html` of #${e.replay_of}` : ''})</span>` : ''}</td>
<td data-label="Booking uid">${orDash(e.booking_uid)}</td>
<td data-label="Result">${stateTag(e.result)}</td>
<td data-label="Outcome" class="wrap">${e.appointment_id !== null ? html`appointment ${e.appointment_id}` : ''} ${orDash(e.action ?? e.reason)}</td>
<td data-label="Repeats"${e.duplicate_count > 0 ? '' : html` class="hide-sm"`}>${e.duplicate_count > 0 ? html`${e.duplicate_count}×` : ''}</td>
</tr>`,
  );
  const table =
    rows.length === 0
      ? html`<p class="muted">No events match.</p>`
      : html`<div class="scroll"><table id="events" class="rows">
<thead><tr><th>#</th><th>Received (UTC)</th><th>Trigger</th><th>Booking uid</th><th>Result</th><th>Outcome</th><th class="hide-sm">Repeats</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  const pager = data.nextCursor ? html`<p class="pager"><a href="${nextPageHref(data.filters, data.nextCursor)}">Older events →</a></p>` : '';
  return page(
    { title: 'Event log', csrfToken: data.csrfToken, current: 'events' },
    html`<h1>Event log</h1>${filterForm(data.filters)}${filterNotice(data.filters)}${table}${pager}`,
  );
}

export function rejectedPage(rows: RejectedDeliveryRow[], nextCursor: string | null, csrfToken: string): string {
  const body = rows.map(
    (r) => html`<tr>
<td data-label="#">${r.id}</td><td data-label="Received">${shortTime(r.received_at)}</td><td data-label="Trigger">${orDash(r.trigger)}</td>
<td data-label="Booking uid">${orDash(r.booking_uid)}</td><td data-label="Code">${stateTag(r.code)}</td><td data-label="Why" class="wrap">${r.message}</td>
</tr>`,
  );
  const table =
    body.length === 0
      ? html`<p class="muted">No refused deliveries on record.</p>`
      : html`<div class="scroll"><table id="rejected" class="rows">
<thead><tr><th>#</th><th>Received (UTC)</th><th>Trigger</th><th>Booking uid</th><th>Code</th><th>Why</th></tr></thead>
<tbody>${body}</tbody></table></div>`;
  const pager = nextCursor ? html`<p class="pager"><a href="/admin/rejected?cursor=${nextCursor}">Older →</a></p>` : '';
  return page(
    { title: 'Rejected deliveries', csrfToken, current: 'rejected' },
    html`<h1>Rejected deliveries</h1>
<p class="muted">Signed deliveries refused with a 4xx (bad JSON, unsupported trigger, validation errors). Bodies are not kept; the newest 1,000 are.</p>
${table}${pager}`,
  );
}
