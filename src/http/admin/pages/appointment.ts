// /admin/appointments/:id: one appointment as an operator needs it: its facts (times in UTC and in the
// organizer's time zone), attendees with their no-show, payment, the appointments it overlaps, every uid it
// had, its timeline of events (each linking to the event page), and each sink's state with a retry.
import { locationLabel } from '../../../appointments/location-label.js';
import type { AppointmentView } from '../../../store/appointment-view.js';
import type { EventListRow } from '../../../store/queries/event-log.js';
import { RETRYABLE_SINK_STATES } from '../../../store/queries/sink-admin.js';
import type { AppointmentRow } from '../../../store/schema.js';
import { orDash, shortTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { page, postButton, stateTag } from '../layout.js';

export interface AppointmentPageData {
  view: AppointmentView;
  /** Oldest first. */
  events: EventListRow[];
  eventsTruncated: boolean;
  conflicts: Pick<AppointmentRow, 'id' | 'title' | 'start_time' | 'end_time' | 'status'>[];
  csrfToken: string;
  notice: { text: string; error?: boolean } | null;
}

/** A time in a named zone, e.g. "Mon 7 Jan 2030, 10:00 CET"; null when the zone is unknown or invalid. */
export function inTimeZone(iso: string | null, timeZone: string | null | undefined): string | null {
  if (!iso || !timeZone) return null;
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone: timeZone.slice(0, 64), weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso));
  } catch {
    return null;
  }
}

function when(iso: string | null, timeZone: string | null | undefined): SafeHtml {
  const local = inTimeZone(iso, timeZone);
  return html`${shortTime(iso)}${local ? html`<br><span class="muted">${local} (${timeZone})</span>` : ''}`;
}

function paymentText(view: AppointmentView): SafeHtml {
  if (!view.payment) return html`<span class="muted">none</span>`;
  return html`${stateTag(view.payment.status)}${view.payment.payment_id ? html` <span class="muted">payment ${view.payment.payment_id}</span>` : ''}`;
}

function location(view: AppointmentView): SafeHtml {
  const label = locationLabel(view.location, view.metadata);
  if (!label) return html`<span class="muted">—</span>`;
  if (!label.url) return html`${label.text}`;
  const link = html`<a href="${label.url}" rel="noreferrer noopener" target="_blank">${label.url}</a>`;
  return label.text === label.url ? link : html`${label.text}: ${link}`;
}

function reasons(view: AppointmentView): SafeHtml {
  const parts: SafeHtml[] = [];
  if (view.reschedule_reason) parts.push(html`<div>Rescheduled${view.rescheduled_by ? html` by ${view.rescheduled_by}` : ''}: ${view.reschedule_reason}</div>`);
  if (view.cancellation_reason) parts.push(html`<div>Cancelled${view.cancelled_by ? html` by ${view.cancelled_by}` : ''}: ${view.cancellation_reason}</div>`);
  if (view.rejection_reason) parts.push(html`<div>Rejected: ${view.rejection_reason}</div>`);
  if (view.request_reschedule) parts.push(html`<div>The host asked the attendee to pick a new time.</div>`);
  return parts.length === 0 ? html`<span class="muted">—</span>` : html`${parts}`;
}

function attendeesTable(view: AppointmentView): SafeHtml {
  if (view.attendees.length === 0) return html`<p class="muted">No attendees.</p>`;
  const rows = view.attendees.map(
    (a) => html`<tr><td data-label="Name">${orDash(a.name)}</td><td data-label="Email">${a.email}</td><td data-label="Time zone">${orDash(a.time_zone)}</td>
<td data-label="No-show">${a.no_show ? html`<span class="tag s-failed">no-show</span>` : html`<span class="muted">attended or not marked</span>`}</td></tr>`,
  );
  return html`<div class="scroll"><table id="attendees" class="rows"><thead><tr><th>Name</th><th>Email</th><th>Time zone</th><th>No-show</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function conflictText(data: AppointmentPageData): SafeHtml {
  if (!data.view.conflict) return html`<span class="muted">no overlap</span>`;
  if (data.conflicts.length === 0) return html`<span class="tag s-failed">overlap</span> <span class="muted">(the other appointment is no longer active)</span>`;
  return html`<span class="tag s-failed">overlaps</span> ${data.conflicts.map(
    (c, i) => html`${i > 0 ? ', ' : ''}<a href="/admin/appointments/${c.id}">#${c.id}</a> <span class="muted">${orDash(c.title)}, ${shortTime(c.start_time)}</span>`,
  )}`;
}

function syncTable(data: AppointmentPageData): SafeHtml {
  const entries = Object.entries(data.view.sync);
  if (entries.length === 0) return html`<p class="muted">No sink mirrors this appointment.</p>`;
  const rows = entries.map(([sink, s]) => {
    const retry = (RETRYABLE_SINK_STATES as readonly string[]).includes(s.state)
      ? postButton('/admin/sync/retry', 'Retry now', data.csrfToken, { sink, appointment_id: data.view.id, back: 'appointment' })
      : html`<span class="muted">nothing to retry</span>`;
    return html`<tr data-sink="${sink}"><td data-label="Sink">${sink}</td><td data-label="State">${stateTag(s.state)}</td>
<td data-label="Version">${s.synced_version} of ${data.view.version}</td><td data-label="Attempts">${s.attempts}</td>
<td data-label="Next try">${shortTime(s.next_attempt_at)}</td><td data-label="Last error" class="wrap">${orDash(s.last_error)}</td><td data-label="Action">${retry}</td></tr>`;
  });
  return html`<div class="scroll"><table id="sync" class="rows"><thead><tr><th>Sink</th><th>State</th><th>Version</th><th>Attempts</th><th>Next try</th><th>Last error</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function timeline(data: AppointmentPageData): SafeHtml {
  if (data.events.length === 0) return html`<p class="muted">No events on record.</p>`;
  const items = data.events.map(
    (e) => html`<li data-event="${e.id}"><a href="/admin/events/${e.id}">#${e.id} ${e.trigger}</a> ${stateTag(e.result)} ${orDash(e.action ?? e.reason)}
<span class="muted">received ${shortTime(e.received_at)}${e.source !== 'webhook' ? html` via ${e.source}` : ''}${e.duplicate_count > 0 ? html`, delivered ${e.duplicate_count + 1}×` : ''}${e.booking_uid ? html` · ${e.booking_uid}` : ''}</span></li>`,
  );
  return html`<ol id="timeline" class="timeline">${items}</ol>${
    data.eventsTruncated ? html`<p class="muted">Older events are not shown; <a href="/admin/events?appointment_id=${data.view.id}">see them all in the event log</a>.</p>` : ''
  }`;
}

export function appointmentPage(data: AppointmentPageData): string {
  const v = data.view;
  const tz = v.organizer?.time_zone;
  const uids = [v.calcom_booking_uid, ...v.previous_uids].filter((u): u is string => !!u);
  const flags = html`${stateTag(v.status)}${v.conflict ? html` <span class="tag s-failed">overlap</span>` : ''}${v.no_show ? html` <span class="tag s-failed">no-show</span>` : ''}${
    v.payment ? html` <span class="tag s-${v.payment.status === 'paid' ? 'synced' : 'pending'}">${v.payment.status === 'paid' ? 'paid' : `payment ${v.payment.status}`}</span>` : ''
  }`;
  return page(
    { title: `Appointment ${v.id}`, csrfToken: data.csrfToken, current: 'overview', notice: data.notice },
    html`<h1>#${v.id} · ${v.title ?? 'Untitled'} ${flags}</h1>
<dl id="appointment">
<dt>Starts</dt><dd>${when(v.start_time, tz)}</dd>
<dt>Ends</dt><dd>${when(v.end_time, tz)}</dd>
<dt>Event type</dt><dd>${orDash(v.event_type)}${v.event_type_id !== null ? html` <span class="muted">(id ${v.event_type_id})</span>` : ''}</dd>
<dt>Organizer</dt><dd>${v.organizer ? html`${orDash(v.organizer.name)} <span class="muted">${v.organizer.email ?? ''}${tz ? html` · ${tz}` : ''}</span>` : html`<span class="muted">—</span>`}</dd>
<dt>Location</dt><dd>${location(v)}</dd>
<dt>Phone</dt><dd>${orDash(v.phone)}</dd>
<dt>Notes</dt><dd>${orDash(v.notes)}</dd>
<dt>Payment</dt><dd>${paymentText(v)}</dd>
<dt>Conflict</dt><dd id="conflict">${conflictText(data)}</dd>
<dt>Reasons</dt><dd>${reasons(v)}</dd>
<dt>Uids</dt><dd id="uids">${uids.length === 0 ? html`<span class="muted">—</span>` : uids.map((u, i) => html`${i > 0 ? html`<br>` : ''}${u}${i === 0 ? html` <span class="muted">(current)</span>` : ''}`)}</dd>
<dt>Source</dt><dd>${v.source}${v.recurring_event_id ? html` <span class="muted">· series ${v.recurring_event_id}</span>` : ''}</dd>
<dt>Version</dt><dd>${v.version} <span class="muted">· created ${shortTime(v.created_at)} · updated ${shortTime(v.updated_at)}</span></dd>
</dl>
<h2>Attendees</h2>
${attendeesTable(v)}
<h2>Mirrors</h2>
${syncTable(data)}
<h2>Timeline</h2>
${timeline(data)}`,
  );
}
