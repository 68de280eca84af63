// /admin: the last 24 h at a glance, then appointments with their status and mirror (sync) state, with a
// retry button where a sync failed or is backing off.
import type { AppointmentRow, SinkStateRow } from '../../../store/schema.js';
import { RETRYABLE_SINK_STATES } from '../../../store/queries/sink-admin.js';
import { orDash, shortTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { page, postButton, stateTag } from '../layout.js';
import type { DaySummary } from '../summary.js';

export interface OverviewData {
  summary: DaySummary;
  appointments: { row: AppointmentRow; sinks: SinkStateRow[] }[];
  nextBeforeId: number | null;
  csrfToken: string;
  notice: { text: string; error?: boolean } | null;
}

function card(value: number | string, label: string, detail?: SafeHtml): SafeHtml {
  return html`<div class="card"><b>${value}</b><span>${label}</span>${detail ? html`<br><span>${detail}</span>` : ''}</div>`;
}

function summaryCards(s: DaySummary): SafeHtml {
  const lastError = s.lastError
    ? html`<div class="card wide"><span>Last error · ${shortTime(s.lastError.at)} · ${s.lastError.where}</span><br>${s.lastError.message}</div>`
    : html`<div class="card wide"><span>Last error</span><br><span class="muted">none on record</span></div>`;
  return html`<div class="cards" id="summary">
${card(s.received, 'received', html`${s.processed} processed · ${s.skipped} skipped · ${s.parked} parked`)}
${card(s.duplicates, 'duplicates')}
${card(s.rejected, 'rejected')}
${card(s.syncBacklog, 'sync backlog', html`${s.syncFailed} failed`)}
${lastError}
</div>`;
}

function attendeesOf(row: AppointmentRow): string {
  try {
    const list = JSON.parse(row.attendees) as { name: string | null; email: string }[];
    return list.map((a) => a.name ?? a.email).join(', ');
  } catch {
    return '';
  }
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

export function overviewPage(data: OverviewData): string {
  const rows = data.appointments.map(
    ({ row, sinks }) => html`<tr data-appointment="${row.id}" data-uid="${row.calcom_booking_uid ?? ''}">
<td data-label="#"><a href="/admin/events?appointment_id=${row.id}">${row.id}</a></td>
<td data-label="Starts">${shortTime(row.start_time)}</td>
<td data-label="Title" class="wrap">${orDash(row.title)}<br><span class="muted">${row.calcom_booking_uid ?? ''}</span></td>
<td data-label="Attendees">${attendeesOf(row)}</td>
<td data-label="Status">${stateTag(row.status)}${row.conflict === 1 ? html` <span class="tag s-failed">overlap</span>` : ''}</td>
<td data-label="Sync" class="wrap">${syncCell(sinks, data.csrfToken)}</td>
</tr>`,
  );
  const table =
    rows.length === 0
      ? html`<p class="muted">No appointments yet. Send a webhook (npx calsync send BOOKING_CREATED) or wait for Cal.com.</p>`
      : html`<div class="scroll"><table id="appointments" class="rows">
<thead><tr><th>#</th><th>Starts (UTC)</th><th>Title / uid</th><th>Attendees</th><th>Status</th><th>Notion sync</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  const pager = data.nextBeforeId !== null ? html`<p class="pager"><a href="/admin?before_id=${data.nextBeforeId}">Older appointments →</a></p>` : '';
  return page(
    { title: 'Overview', csrfToken: data.csrfToken, current: 'overview', notice: data.notice },
    html`<h1>Last 24 hours</h1>
${summaryCards(data.summary)}
<h2>Appointments</h2>
${table}
${pager}`,
  );
}
