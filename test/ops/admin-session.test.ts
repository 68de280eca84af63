// /admin's parts below HTTP: stored session cookies (forgery, expiry, logout, key change, purge) on both
// stores, and HTML escaping.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, html, trustedHtml } from '../../src/http/admin/html.js';
import { AdminSessions, SESSION_TTL_MS } from '../../src/http/admin/session.js';
import { deleteExpiredAdminSessions, insertAdminSession } from '../../src/store/queries/admin-sessions.js';
import { openFreshStore, type OpenedTestStore } from '../support/open-store.js';
import { STORE_KINDS } from '../support/stores.js';

const KEY = 'csk_unit_test_key_0123456789';

describe.each(STORE_KINDS)('AdminSessions (%s)', (kind) => {
  let t: OpenedTestStore;
  beforeAll(async () => {
    t = await openFreshStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });
  const sessionsOf = (key = KEY, now: () => number = Date.now) => new AdminSessions(() => t.store.db, () => key, now);

  it('accepts the cookie it issued and derives a stable CSRF token from it', async () => {
    const sessions = sessionsOf();
    const { cookie, session } = await sessions.issue();
    const again = await sessions.verify(cookie);
    expect(again).toEqual(session);
    expect(sessions.csrfValid(session, session.csrfToken)).toBe(true);
    expect(sessions.csrfValid(session, undefined)).toBe(false);
    expect(sessions.csrfValid(session, (await sessions.issue()).session.csrfToken)).toBe(false);
    expect(cookie).not.toContain(KEY);
  });

  it('stores only a hash of the token', async () => {
    const { cookie } = await sessionsOf().issue();
    const token = cookie.split('.')[0] as string;
    const rows = await t.store.db.selectFrom('admin_sessions').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.map((r) => r.token_hash)).toContain(crypto.createHash('sha256').update(token).digest('hex'));
  });

  it('refuses altered tokens, garbage and a cookie signed with another key', async () => {
    const sessions = sessionsOf();
    const { cookie } = await sessions.issue();
    const [token, mac] = cookie.split('.') as [string, string];
    const otherToken = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(await sessions.verify(`${otherToken}.${mac}`)).toBeNull();
    expect(await sessions.verify('')).toBeNull();
    expect(await sessions.verify(undefined)).toBeNull();
    expect(await sessions.verify(KEY)).toBeNull();
    expect(await sessions.verify(cookie + 'x')).toBeNull();
    expect(await sessionsOf(KEY + 'x').verify(cookie)).toBeNull();
  });

  it('refuses an expired session, and a later login purges expired rows', async () => {
    let now = Date.parse('2031-01-01T00:00:00.000Z');
    const sessions = sessionsOf(KEY, () => now);
    const { cookie, session } = await sessions.issue();
    now += SESSION_TTL_MS - 1;
    expect(await sessions.verify(cookie)).not.toBeNull();
    now += 1;
    expect(await sessions.verify(cookie)).toBeNull();
    await sessions.issue();
    const left = await t.store.db.selectFrom('admin_sessions').select('token_hash').where('token_hash', '=', session.sid).execute();
    expect(left).toEqual([]);
  });

  it('purges expired rows in bounded batches', async () => {
    const at = new Date().toISOString();
    const past = Date.parse('2030-01-01T00:00:00.000Z');
    for (let i = 0; i < 250; i++) await insertAdminSession(t.store.db, `expired-${kind}-${i}`, past + i, at);
    const now = Date.parse('2031-06-01T00:00:00.000Z');
    expect(await deleteExpiredAdminSessions(t.store.db, now, 100)).toBe(100);
    expect(await deleteExpiredAdminSessions(t.store.db, now, 100)).toBe(100);
    expect(await deleteExpiredAdminSessions(t.store.db, now, 100)).toBeGreaterThanOrEqual(50);
    expect(await deleteExpiredAdminSessions(t.store.db, now, 100)).toBe(0);
  });

  it('refuses a logged-out session but keeps others, also for another instance on the same store', async () => {
    const sessions = sessionsOf();
    const elsewhere = sessionsOf();
    const a = await sessions.issue();
    const b = await sessions.issue();
    expect(await elsewhere.verify(a.cookie)).not.toBeNull();
    await sessions.revoke(a.session);
    expect(await sessions.verify(a.cookie)).toBeNull();
    expect(await elsewhere.verify(a.cookie)).toBeNull();
    expect(await elsewhere.verify(b.cookie)).not.toBeNull();
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
