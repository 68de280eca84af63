// /admin/search?q=: an appointment by any uid it had, or an attendee's email or name.
import type { AppointmentRow } from '../../../store/schema.js';
import { html, type SafeHtml } from '../html.js';
import { page } from '../layout.js';
import { appointmentRowsTable } from './appointment-rows.js';

export interface SearchPageData {
  q: string;
  rows: AppointmentRow[];
  limit: number;
  csrfToken: string;
}

export function searchForm(q = ''): SafeHtml {
  return html`<form class="filters" id="search" method="get" action="/admin/search" role="search">
<label>Find an appointment<input name="q" value="${q}" maxlength="200" placeholder="attendee email, name or booking uid" size="34"></label>
<button type="submit">Search</button></form>`;
}

export function searchPage(data: SearchPageData): string {
  const result =
    data.q === ''
      ? html`<p class="muted">Type an attendee's email or name (or part of it), or any booking uid the appointment has had.</p>`
      : data.rows.length === 0
        ? html`<p class="muted" id="no-results">No appointment matches “${data.q}”.</p>`
        : html`<p class="muted">${data.rows.length === data.limit ? `The newest ${data.limit}` : data.rows.length} ${data.rows.length === 1 ? 'appointment matches' : 'appointments match'} “${data.q}”.</p>
${appointmentRowsTable(data.rows.map((row) => ({ row, sinks: [] })), null)}`;
  return page({ title: 'Search', csrfToken: data.csrfToken, current: 'search' }, html`<h1>Search</h1>${searchForm(data.q)}${result}`);
}
