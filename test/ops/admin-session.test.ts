// The pure parts of /admin: session cookies (forgery, expiry, logout, key change) and HTML escaping.
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trustedHtml } from '../../src/http/admin/html.js';
import { AdminSessions, SESSION_TTL_MS } from '../../src/http/admin/session.js';

const KEY = 'csk_unit_test_key_0123456789';

describe('AdminSessions', () => {
  it('accepts the cookie it issued and derives a stable CSRF token from it', () => {
    const sessions = new AdminSessions(() => KEY);
    const { cookie, session } = sessions.issue();
    const again = sessions.verify(cookie);
    expect(again).toEqual(session);
    expect(sessions.csrfValid(session, session.csrfToken)).toBe(true);
    expect(sessions.csrfValid(session, undefined)).toBe(false);
    expect(sessions.csrfValid(session, sessions.issue().session.csrfToken)).toBe(false);
    expect(cookie).not.toContain(KEY);
  });

  it('refuses altered ids, altered expiry, garbage and a cookie signed with another key', () => {
    const sessions = new AdminSessions(() => KEY);
    const { cookie } = sessions.issue();
    const [sid, exp, mac] = cookie.split('.') as [string, string, string];
    const otherSid = sid.slice(0, -1) + (sid.endsWith('A') ? 'B' : 'A');
    expect(sessions.verify(`${otherSid}.${exp}.${mac}`)).toBeNull();
    expect(sessions.verify(`${sid}.${Number(exp) + SESSION_TTL_MS}.${mac}`)).toBeNull();
    expect(sessions.verify('')).toBeNull();
    expect(sessions.verify(undefined)).toBeNull();
    expect(sessions.verify(KEY)).toBeNull();
    expect(new AdminSessions(() => KEY + 'x').verify(cookie)).toBeNull();
  });

  it('refuses an expired session', () => {
    let now = 1_000_000;
    const sessions = new AdminSessions(() => KEY, () => now);
    const { cookie } = sessions.issue();
    now += SESSION_TTL_MS - 1;
    expect(sessions.verify(cookie)).not.toBeNull();
    now += 1;
    expect(sessions.verify(cookie)).toBeNull();
  });

  it('refuses a logged-out session but keeps others', () => {
    const sessions = new AdminSessions(() => KEY);
    const a = sessions.issue();
    const b = sessions.issue();
    sessions.revoke(a.session);
    expect(sessions.verify(a.cookie)).toBeNull();
    expect(sessions.verify(b.cookie)).not.toBeNull();
  });
});

describe('escapeHtml and html``', () => {
  it('escapes the five characters that matter', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });

  it('escapes every interpolated value, including inside arrays, and passes markup built by html', () => {
    const evil = '"><script>x()</script>';
    const out = html`<p title="${evil}">${[evil, html`<b>${evil}</b>`]}${trustedHtml('<hr>')}${null}${false}</p>`.value;
    expect(out).toBe(
      '<p title="&quot;&gt;&lt;script&gt;x()&lt;/script&gt;">&quot;&gt;&lt;script&gt;x()&lt;/script&gt;<b>&quot;&gt;&lt;script&gt;x()&lt;/script&gt;</b><hr></p>',
    );
  });
});
