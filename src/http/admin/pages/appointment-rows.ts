// The appointments table of the overview and the search results: each row links to its appointment page
// and shows status, overlap, no-show and payment at a glance; the sync column (with retry) when given a token.
import { RETRYABLE_SINK_STATES } from '../../../store/queries/sink-admin.js';
import type { AppointmentRow, SinkStateRow } from '../../../store/schema.js';
import { orDash, shortTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { postButton, stateTag } from '../layout.js';

interface StoredAttendee {
  name: string | null;
  email: string;
  no_show?: boolean;
}

function attendeesOf(row: AppointmentRow): StoredAttendee[] {
  try {
    const list = JSON.parse(row.attendees) as StoredAttendee[];
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function attendeesCell(row: AppointmentRow): SafeHtml {
  return html`${attendeesOf(row).map((a, i) => html`${i > 0 ? ', ' : ''}${a.name ?? a.email}${a.no_show ? html` <span class="tag s-failed" title="no-show">no-show</span>` : ''}`)}`;
}

/** Status with what else matters: overlap, no-show, payment. */
export function statusCell(row: AppointmentRow): SafeHtml {
  const payment = row.payment_status
    ? html` <span class="tag s-${row.payment_status === 'paid' ? 'synced' : 'pending'}">${row.payment_status === 'paid' ? 'paid' : `payment ${row.payment_status}`}</span>`
    : '';
  return html`${stateTag(row.status)}${row.conflict === 1 ? html` <span class="tag s-failed">overlap</span>` : ''}${row.no_show === 1 ? html` <span class="tag s-failed">no-show</span>` : ''}${payment}`;
}

/** Notion opens a page from its id without dashes. */
function notionPageUrl(pageId: string): string {
  return `https://www.notion.so/${encodeURIComponent(pageId.replace(/-/g, ''))}`;
}

function syncCell(sinks: SinkStateRow[], csrfToken: string): SafeHtml {
  if (sinks.length === 0) return html`<span class="muted">not mirrored</span>`;
  return html`${sinks.map((s) => {
    const retry = (RETRYABLE_SINK_STATES as readonly string[]).includes(s.state)
      ? postButton('/admin/sync/retry', 'Retry now', csrfToken, { sink: s.sink, appointment_id: s.appointment_id })
      : '';
    const error = s.last_error ? html`<br><span class="muted">${s.last_error}</span>` : '';
    const link = s.sink === 'notion' && s.external_id ? html` <a href="${notionPageUrl(s.external_id)}" rel="noreferrer" target="_blank">page</a>` : '';
    return html`<div data-sink="${s.sink}">${s.sink}: ${stateTag(s.state)}${link} <span class="muted">v${s.synced_version}, ${s.attempts} ${s.attempts === 1 ? 'attempt' : 'attempts'}</span> ${retry}${error}</div>`;
  })}`;
}

/** `csrfToken` null: no sync column (search results). */
export function appointmentRowsTable(appointments: { row: AppointmentRow; sinks: SinkStateRow[] }[], csrfToken: string | null): SafeHtml {
  const rows = appointments.map(
    ({ row, sinks }) => html`<tr data-appointment="${row.id}" data-uid="${row.calcom_booking_uid ?? ''}">
<td data-label="#"><a href="/admin/appointments/${row.id}">${row.id}</a></td>
<td data-label="Starts">${shortTime(row.start_time)}</td>
<td data-label="Title" class="wrap"><a href="/admin/appointments/${row.id}">${orDash(row.title)}</a><br><span class="muted">${row.calcom_booking_uid ?? ''}</span></td>
<td data-label="Attendees" class="wrap">${attendeesCell(row)}</td>
<td data-label="Status">${statusCell(row)}</td>
${csrfToken !== null ? html`<td data-label="Sync" class="wrap">${syncCell(sinks, csrfToken)}</td>` : ''}
</tr>`,
  );
  return html`<div class="scroll"><table id="appointments" class="rows">
<thead><tr><th>#</th><th>Starts (UTC)</th><th>Title / uid</th><th>Attendees</th><th>Status</th>${csrfToken !== null ? html`<th>Sync</th>` : ''}</tr></thead>
<tbody>${rows}</tbody></table></div>`;
}
