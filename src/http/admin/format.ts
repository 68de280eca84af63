// Small display helpers shared by the admin pages.
import { html, type SafeHtml } from './html.js';

/** `2031-03-12T14:00:00.000Z` → `2031-03-12 14:00:00Z`: short, still unambiguous (UTC). */
export function shortTime(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  const short = iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return html`<time datetime="${iso}">${short}</time>`;
}

/** A stored JSON text shown indented when it parses, as stored otherwise. */
export function prettyJson(text: string | null): string {
  if (text === null) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function orDash(value: string | number | null | undefined): SafeHtml {
  return value === null || value === undefined || value === '' ? html`<span class="muted">—</span>` : html`${value}`;
}
