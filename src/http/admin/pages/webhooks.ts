// /admin/webhooks: outbound webhook endpoints with their state, last status, failing since and messages by
// state; /admin/webhooks/:id: one endpoint's recent messages; /admin/webhooks/:id/messages/:messageId: a
// message's attempts (time, status, error, duration). Read-only pages.
import type { WebhookAttemptRow, WebhookEndpointRow, WebhookMessageRow } from '../../../store/schema.js';
import { orDash, prettyJson, shortTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { page, stateTag } from '../layout.js';

/** URLs and errors are cut to this length on the page. */
const MAX_SHOWN_CHARS = 200;

function cut(text: string | null): string | null {
  return text === null ? null : text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

function endpointState(e: WebhookEndpointRow): SafeHtml {
  if (e.enabled !== 1) return html`${stateTag('disabled')} <span class="muted">${orDash(cut(e.disabled_reason))}</span>`;
  return e.failing_since ? stateTag('failing') : stateTag('enabled');
}

function counts(c: Record<string, number>): SafeHtml {
  const parts = Object.entries(c).map(([state, n]) => html`${stateTag(state)} ${n} `);
  return parts.length === 0 ? html`<span class="muted">none</span>` : html`${parts}`;
}

export interface WebhooksPageData {
  endpoints: { row: WebhookEndpointRow; messages: Record<string, number> }[];
  csrfToken: string;
}

export function webhooksPage(data: WebhooksPageData): string {
  const rows = data.endpoints.map(
    ({ row, messages }) => html`<tr data-endpoint="${row.id}">
<td data-label="Endpoint"><a href="/admin/webhooks/${row.id}">${row.id}</a></td>
<td data-label="URL" class="wrap">${cut(row.url)}${row.description ? html`<br><span class="muted">${cut(row.description)}</span>` : ''}</td>
<td data-label="State" class="wrap">${endpointState(row)}</td>
<td data-label="Last status">${orDash(row.last_status)} ${row.last_error ? html`<span class="muted">${cut(row.last_error)}</span>` : ''}</td>
<td data-label="Last attempt">${shortTime(row.last_delivery_at)}</td>
<td data-label="Failing since">${shortTime(row.failing_since)}</td>
<td data-label="Messages">${counts(messages)}</td>
</tr>`,
  );
  const table =
    rows.length === 0
      ? html`<p class="muted">No endpoints. Add one with <code>npx calsync endpoints add URL</code> or POST /api/webhook-endpoints.</p>`
      : html`<div class="scroll"><table id="endpoints" class="rows">
<thead><tr><th>Endpoint</th><th>URL</th><th>State</th><th>Last status</th><th>Last attempt (UTC)</th><th>Failing since</th><th>Messages</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  return page({ title: 'Outbound webhooks', csrfToken: data.csrfToken, current: 'webhooks' }, html`<h1>Outbound webhooks</h1>${table}`);
}

export interface EndpointPageData {
  endpoint: WebhookEndpointRow;
  messages: WebhookMessageRow[];
  counts: Record<string, number>;
  csrfToken: string;
}

export function webhookEndpointPage(data: EndpointPageData): string {
  const e = data.endpoint;
  const rows = data.messages.map(
    (m) => html`<tr data-message="${m.message_id}">
<td data-label="webhook-id"><a href="/admin/webhooks/${e.id}/messages/${m.message_id}">${m.message_id}</a></td>
<td data-label="Appointment">${m.appointment_id} <span class="muted">v${m.version}</span></td>
<td data-label="Type">${m.event_type}</td>
<td data-label="State">${stateTag(m.state)}</td>
<td data-label="Attempts">${m.attempts}</td>
<td data-label="Last status">${orDash(m.last_status)} ${m.last_error ? html`<span class="muted">${cut(m.last_error)}</span>` : ''}</td>
<td data-label="Next attempt">${m.state === 'retrying' || m.state === 'pending' ? shortTime(new Date(m.next_attempt_at).toISOString()) : html`<span class="muted">—</span>`}</td>
</tr>`,
  );
  const table =
    rows.length === 0
      ? html`<p class="muted">No messages yet.</p>`
      : html`<div class="scroll"><table id="messages" class="rows">
<thead><tr><th>webhook-id</th><th>Appointment</th><th>Type</th><th>State</th><th>Attempts</th><th>Last status</th><th>Next attempt (UTC)</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  return page(
    { title: `Endpoint ${e.id}`, csrfToken: data.csrfToken, current: 'webhooks' },
    html`<h1>Endpoint ${e.id}</h1>
<dl>
<dt>URL</dt><dd>${cut(e.url)}</dd>
<dt>Description</dt><dd>${orDash(cut(e.description))}</dd>
<dt>State</dt><dd>${endpointState(e)}</dd>
<dt>Created</dt><dd>${shortTime(e.created_at)}</dd>
<dt>Last attempt</dt><dd>${shortTime(e.last_delivery_at)} ${orDash(e.last_status)} ${orDash(cut(e.last_error))}</dd>
<dt>Failing since</dt><dd>${shortTime(e.failing_since)}</dd>
<dt>Messages</dt><dd>${counts(data.counts)}</dd>
</dl>
<h2>Recent messages</h2>${table}
<p class="pager"><a href="/admin/webhooks">← All endpoints</a></p>`,
  );
}

export interface MessagePageData {
  endpoint: WebhookEndpointRow;
  message: WebhookMessageRow;
  attempts: WebhookAttemptRow[];
  csrfToken: string;
}

export function webhookMessagePage(data: MessagePageData): string {
  const m = data.message;
  const rows = data.attempts.map(
    (a) => html`<tr>
<td data-label="#">${a.attempt}</td>
<td data-label="At">${shortTime(a.at)}</td>
<td data-label="Status">${a.status !== null && a.status >= 200 && a.status < 300 ? stateTag('delivered') : stateTag('failed')} ${orDash(a.status)}</td>
<td data-label="Error" class="wrap">${orDash(cut(a.error))}</td>
<td data-label="Duration">${a.duration_ms} ms</td>
</tr>`,
  );
  const table =
    rows.length === 0
      ? html`<p class="muted">No attempt yet.</p>`
      : html`<div class="scroll"><table id="attempts" class="rows">
<thead><tr><th>#</th><th>At (UTC)</th><th>Status</th><th>Error</th><th>Duration</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  return page(
    { title: `Message ${m.message_id}`, csrfToken: data.csrfToken, current: 'webhooks' },
    html`<h1>Message ${m.message_id}</h1>
<dl>
<dt>Endpoint</dt><dd><a href="/admin/webhooks/${data.endpoint.id}">${data.endpoint.id}</a></dd>
<dt>Appointment</dt><dd>${m.appointment_id} (version ${m.version})</dd>
<dt>Type</dt><dd>${m.event_type}</dd>
<dt>State</dt><dd>${stateTag(m.state)}</dd>
<dt>Made</dt><dd>${shortTime(m.created_at)}</dd>
<dt>Delivered</dt><dd>${shortTime(m.delivered_at)}</dd>
</dl>
<h2>Attempts (newest first)</h2>${table}
<h2>Body</h2><pre>${prettyJson(m.body)}</pre>`,
  );
}
