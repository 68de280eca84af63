// /admin/signatures: requests refused for their signature, the most common set-up mistake (a different
// secret in Cal.com). Counts by reason and hour over the last 24 h, the latest requests with their source
// address and the trigger their body names, and for each reason what to do. Bodies are never kept.
import type { RefusedByHourRow, RefusedSignatureRow } from '../../../store/queries/refused-deliveries.js';
import { orDash, shortTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { page } from '../layout.js';

export interface SignaturesPageData {
  byHour: RefusedByHourRow[];
  latest: RefusedSignatureRow[];
  nextCursor: string | null;
  csrfToken: string;
}

/** What each reason means and what fixes it, in words. */
export const SIGNATURE_FIXES: Record<string, { what: string; fix: string }> = {
  mismatch: {
    what: 'The signature does not match the body with the secret calsync has.',
    fix: 'The secret in Cal.com does not match CAL_WEBHOOK_SECRET. Copy the value into the webhook\'s "Secret" in Cal.com again, or run npx calsync calcom register --url https://YOUR-HOST, which sets it. (Rarely: a proxy in between changed the body.)',
  },
  no_secret_provided: {
    what: 'Cal.com sent "no-secret-provided": the webhook in Cal.com has no secret.',
    fix: 'Paste CAL_WEBHOOK_SECRET into the "Secret" field of the webhook in Cal.com (Settings > Developer > Webhooks).',
  },
  missing: {
    what: 'The request had no X-Cal-Signature-256 header.',
    fix: 'Something other than Cal.com is posting here, or a proxy drops the header; Cal.com always sends it. Check the proxy forwards X-Cal-Signature-256.',
  },
  malformed: {
    what: 'The X-Cal-Signature-256 header is not a hex HMAC-SHA256.',
    fix: 'The sender is not Cal.com, or a proxy rewrites the header.',
  },
};

function fixOf(reason: string) {
  return SIGNATURE_FIXES[reason] ?? { what: 'Refused for its signature.', fix: 'Check the secret in Cal.com.' };
}

function reasonsSummary(rows: RefusedByHourRow[]): SafeHtml {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.reason, (totals.get(r.reason) ?? 0) + r.count);
  if (totals.size === 0) return html`<p class="notice" id="signatures-ok">No request was refused for its signature in the last 24 hours.</p>`;
  const items = [...totals].sort((a, b) => b[1] - a[1]).map(([reason, n]) => {
    const f = fixOf(reason);
    return html`<div class="card wide" data-reason="${reason}"><b>${n}</b><span>${reason.replace(/_/g, ' ')} · ${f.what}</span><p class="fix"><strong>Fix:</strong> ${f.fix}</p></div>`;
  });
  return html`<div class="cards" id="signature-reasons">${items}</div>`;
}

function hourTable(rows: RefusedByHourRow[]): SafeHtml {
  if (rows.length === 0) return html``;
  const body = [...rows].reverse().map((r) => html`<tr><td data-label="Hour (UTC)">${r.hour.replace('T', ' ')}:00</td><td data-label="Reason">${r.reason}</td><td data-label="Requests">${r.count}</td></tr>`);
  return html`<h2>By hour</h2><div class="scroll"><table id="signature-hours" class="rows"><thead><tr><th>Hour (UTC)</th><th>Reason</th><th>Requests</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

export function signaturesPage(data: SignaturesPageData): string {
  const latest = data.latest.map(
    (r) => html`<tr data-refused="${r.id}"><td data-label="Received">${shortTime(r.received_at)}</td><td data-label="Reason">${r.reason}</td>
<td data-label="From">${orDash(r.source_ip)}</td><td data-label="Trigger">${orDash(r.trigger)}</td><td data-label="User agent" class="wrap">${orDash(r.user_agent)}</td></tr>`,
  );
  const table =
    latest.length === 0
      ? html`<p class="muted">None on record.</p>`
      : html`<div class="scroll"><table id="signatures" class="rows"><thead><tr><th>Received (UTC)</th><th>Reason</th><th>From</th><th>Trigger</th><th>User agent</th></tr></thead><tbody>${latest}</tbody></table></div>`;
  const pager = data.nextCursor ? html`<p class="pager"><a href="/admin/signatures?cursor=${data.nextCursor}">Older →</a></p>` : '';
  return page(
    { title: 'Refused signatures', csrfToken: data.csrfToken, current: 'signatures' },
    html`<h1>Refused signatures</h1>
<p class="muted">Requests to the webhook URL refused (401) because their signature was missing or wrong, last 24 hours. The trigger is what the body names (unverified); bodies are never kept. The newest 1,000 are kept, at most 120 a minute.</p>
${reasonsSummary(data.byHour)}
${hourTable(data.byHour)}
<h2>Latest</h2>
${table}${pager}`,
  );
}
