// The page shell of /admin: one small inline stylesheet (allowed by its hash in the CSP, so no other style or
// script can run) and a navigation bar. Tables (class `rows`, cells with data-label) become one labelled
// block per row on a phone instead of squeezing or scrolling sideways.
import crypto from 'node:crypto';
import { html, trustedHtml, type SafeHtml } from './html.js';

const CSS = `
:root{--fg:#1d2330;--muted:#5d6678;--line:#dfe3ea;--bg:#f6f7f9;--card:#fff;--accent:#2f5bd3;--bad:#b42318;--ok:#18794e;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.25rem;padding:.6rem 1rem;background:#1d2330;color:#fff}
header strong{font-size:1.05rem;margin-right:.5rem}
header a{color:#cfd8ff;text-decoration:none}
header a[aria-current]{color:#fff;text-decoration:underline}
header form{margin-left:auto}
main{max-width:1200px;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.2rem 0 1rem}
h2{font-size:1.05rem;margin:1.5rem 0 .6rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:.75rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.7rem .9rem}
.card b{display:block;font-size:1.5rem}
.card span{color:var(--muted);font-size:.85rem}
.card.wide{grid-column:1/-1}
.scroll{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}
td.wrap{white-space:normal;min-width:14rem}
th{background:#eef1f5;font-weight:600}
tr:last-child td{border-bottom:0}
.muted{color:var(--muted)}
.tag{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.8rem;border:1px solid currentColor}
.s-processed,.s-synced,.s-accepted,.s-paid{color:var(--ok)}
.s-failed,.s-rejected,.s-cancelled{color:var(--bad)}
.s-retrying,.s-parked,.s-pending,.s-requested,.s-orphaned,.s-initiated{color:var(--warn)}
button{font:inherit;padding:.3rem .8rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
button.quiet{background:transparent;color:inherit;border-color:#8b95a8}
input,select{font:inherit;padding:.3rem .45rem;border:1px solid #b9c0cc;border-radius:6px;max-width:100%}
form.inline{display:inline}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:.75rem}
.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted)}
.notice{padding:.6rem .8rem;border-radius:8px;margin-bottom:1rem;background:#e8f3ec;border:1px solid #b7dcc5}
.notice.error{background:#fdecea;border-color:#f4c7c3}
pre{background:#11151c;color:#e6e9ef;padding:.8rem;border-radius:8px;overflow:auto;font-size:.82rem;max-height:70vh}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.8rem}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
.login{max-width:380px;margin:12vh auto;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1.4rem}
.login input{width:100%;margin:.4rem 0 1rem}
.pager{margin-top:.75rem}
a.card.link{color:inherit;text-decoration:none}
a.card.link:hover{border-color:var(--accent)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:.75rem;margin-top:.75rem}
figure.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.6rem .7rem}
figure.chart>svg{display:block;height:auto;margin-top:.3rem}
.legend .key{margin-left:.6rem;white-space:nowrap;font-size:.85rem;color:var(--muted)}
.legend svg{display:inline;vertical-align:-1px;margin-right:.25rem}
.timeline{padding-left:1.4rem;background:var(--card);border:1px solid var(--line);border-radius:8px;padding-top:.5rem;padding-bottom:.5rem}
.timeline li{margin:.3rem .6rem .3rem 0}
.fix{margin:.4rem 0 0}
@media (max-width:640px){main{padding:.6rem}.hide-sm{display:none}
.cards{grid-template-columns:1fr 1fr}
table.rows thead{display:none}
table.rows tr{display:block;padding:.35rem 0;border-bottom:1px solid var(--line)}
table.rows tr:last-child{border-bottom:0}
table.rows td{display:block;position:relative;border:0;padding:.2rem .6rem .2rem 6.6rem;white-space:normal;min-width:0;word-break:break-word}
table.rows td::before{content:attr(data-label);position:absolute;left:.6rem;top:.2rem;width:5.5rem;color:var(--muted);font-size:.8rem;line-height:1.45rem}
table.rows td{min-height:1.85rem}
table.rows td.hide-sm,table.rows th.hide-sm,table.rows td:empty{display:none}
dl{grid-template-columns:1fr;gap:.1rem}dt{margin-top:.45rem}
.legend{display:block}.legend .key{margin:0 .6rem 0 0}}
`;

const CSS_HASH = crypto.createHash('sha256').update(CSS).digest('base64');

/**
 * Headers for every admin page: nothing but our stylesheet runs, nothing frames it, nothing is cached.
 * Referrer policy same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on our own
 * form posts, which the cross-site check (routes/admin.ts) must refuse.
 */
export const ADMIN_PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${CSS_HASH}'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export type NavItem = 'overview' | 'events' | 'rejected' | 'signatures' | 'webhooks' | 'search';

export interface PageOptions {
  title: string;
  /** Present when logged in: the nav and the log-out button are shown. */
  csrfToken?: string;
  current?: NavItem;
  notice?: { text: string; error?: boolean } | null;
}

function navLink(href: string, label: string, item: NavItem, current: NavItem | undefined): SafeHtml {
  return current === item ? html`<a href="${href}" aria-current="page">${label}</a>` : html`<a href="${href}">${label}</a>`;
}

export function page(options: PageOptions, body: SafeHtml): string {
  const nav =
    options.csrfToken === undefined
      ? html``
      : html`${navLink('/admin', 'Overview', 'overview', options.current)} ${navLink('/admin/events', 'Event log', 'events', options.current)}
          ${navLink('/admin/rejected', 'Rejected', 'rejected', options.current)} ${navLink('/admin/signatures', 'Signatures', 'signatures', options.current)}
          ${navLink('/admin/webhooks', 'Webhooks', 'webhooks', options.current)} ${navLink('/admin/search', 'Search', 'search', options.current)}
          <form method="post" action="/admin/logout"><input type="hidden" name="csrf" value="${options.csrfToken}"><button class="quiet" type="submit">Log out</button></form>`;
  const notice = options.notice ? html`<div class="notice${options.notice.error ? ' error' : ''}" role="status">${options.notice.text}</div>` : html``;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${options.title} · calsync</title>
<style>${trustedHtml(CSS)}</style>
</head>
<body>
<header><strong>calsync</strong>${nav}</header>
<main>
${notice}
${body}
</main>
</body>
</html>
`.value;
}

/** A POST button with the session's CSRF token; `fields` become hidden inputs. */
export function postButton(action: string, label: string, csrfToken: string, fields: Record<string, string | number> = {}, quiet = false): SafeHtml {
  const hidden = Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form class="inline" method="post" action="${action}"><input type="hidden" name="csrf" value="${csrfToken}">${hidden}<button type="submit"${quiet ? html` class="quiet"` : html``}>${label}</button></form>`;
}

/** A state word as a coloured tag. */
export function stateTag(state: string | null | undefined): SafeHtml {
  if (!state) return html`<span class="muted">—</span>`;
  const cls = /^[a-z_]+$/.test(state) ? `tag s-${state}` : 'tag';
  return html`<span class="${cls}">${state}</span>`;
}
