// /admin: the last 24 h at a glance (counts, deliveries per hour, the sync backlog over time), then the
// appointments with their status and mirror (sync) state, with a retry button where a sync failed.
import type { AppointmentRow, SinkStateRow } from '../../../store/schema.js';
import type { OverviewCharts } from '../chart-data.js';
import { stackedBarChart } from '../charts.js';
import { shortTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { page } from '../layout.js';
import type { DaySummary } from '../summary.js';
import { appointmentRowsTable } from './appointment-rows.js';
import { searchForm } from './search.js';

export interface OverviewData {
  summary: DaySummary;
  /** Requests refused for their signature in the same 24 h. */
  refusedSignatures: number;
  charts: OverviewCharts;
  appointments: { row: AppointmentRow; sinks: SinkStateRow[] }[];
  nextBeforeId: number | null;
  /** Set when the list is a later page: the page says so and how to get back. */
  beforeId: number | null;
  csrfToken: string;
  notice: { text: string; error?: boolean } | null;
}

const DELIVERY_SERIES = [
  { key: 'processed', label: 'accepted', color: '#18794e' },
  { key: 'duplicate', label: 'duplicate', color: '#6b8fd6' },
  { key: 'refused', label: 'refused', color: '#b42318' },
];
const BACKLOG_SERIES = [
  { key: 'waiting', label: 'waiting to sync', color: '#9a6700' },
  { key: 'failed', label: 'failed', color: '#b42318' },
];

function card(value: number | string, label: string, detail?: SafeHtml, href?: string): SafeHtml {
  const inner = html`<b>${value}</b><span>${label}</span>${detail ? html`<br><span>${detail}</span>` : ''}`;
  return href ? html`<a class="card link" href="${href}">${inner}</a>` : html`<div class="card">${inner}</div>`;
}

function summaryCards(s: DaySummary, refusedSignatures: number): SafeHtml {
  const lastError = s.lastError
    ? html`<div class="card wide"><span>Last error · ${shortTime(s.lastError.at)} · ${s.lastError.where}</span><br>${s.lastError.message}</div>`
    : html`<div class="card wide"><span>Last error</span><br><span class="muted">none on record</span></div>`;
  return html`<div class="cards" id="summary">
${card(s.received, 'received', html`${s.processed} processed · ${s.skipped} skipped · ${s.parked} parked`, '/admin/events')}
${card(s.duplicates, 'duplicates')}
${card(s.rejected, 'rejected', undefined, '/admin/rejected')}
${card(refusedSignatures, 'refused signatures', refusedSignatures > 0 ? html`see why →` : undefined, '/admin/signatures')}
${card(s.syncBacklog, 'sync backlog', html`${s.syncFailed} failed`)}
${lastError}
</div>`;
}

/** Refused signatures and nothing accepted: almost always the wrong secret in Cal.com; say it first. */
function setupWarning(s: DaySummary, refusedSignatures: number): SafeHtml {
  if (refusedSignatures === 0 || s.received > 0) return html``;
  return html`<div class="notice error" id="secret-warning">${refusedSignatures} ${refusedSignatures === 1 ? 'request was' : 'requests were'} refused for ${refusedSignatures === 1 ? 'its' : 'their'} signature and none was accepted in the last 24 hours: the secret in Cal.com probably does not match CAL_WEBHOOK_SECRET. <a href="/admin/signatures">See the details and the fix</a>.</div>`;
}

export function overviewPage(data: OverviewData): string {
  const table =
    data.appointments.length === 0
      ? html`<p class="muted">No appointments yet. Send a webhook (npx calsync send BOOKING_CREATED) or wait for Cal.com.</p>`
      : appointmentRowsTable(data.appointments, data.csrfToken);
  const paged = data.beforeId !== null ? html`<p class="notice" id="list-filter">Showing older appointments (before #${data.beforeId}). <a href="/admin">Back to the newest</a>.</p>` : '';
  const pager = data.nextBeforeId !== null ? html`<p class="pager"><a href="/admin?before_id=${data.nextBeforeId}">Older appointments →</a></p>` : '';
  return page(
    { title: 'Overview', csrfToken: data.csrfToken, current: 'overview', notice: data.notice },
    html`<h1>Last 24 hours</h1>
${setupWarning(data.summary, data.refusedSignatures)}
${summaryCards(data.summary, data.refusedSignatures)}
<div class="charts">
${stackedBarChart({ id: 'chart-deliveries', title: 'Deliveries per hour', unit: 'deliveries', series: DELIVERY_SERIES, bars: data.charts.deliveries })}
${stackedBarChart({ id: 'chart-backlog', title: 'Sync backlog (highest each hour)', unit: 'appointments', series: BACKLOG_SERIES, bars: data.charts.backlog })}
</div>
<h2>Appointments</h2>
${searchForm()}
${paged}
${table}
${pager}`,
  );
}
