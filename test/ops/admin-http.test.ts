// /admin over plain HTTP on both stores: the session cookie's attributes, refusals (wrong key, forged or
// logged-out cookie, missing CSRF token, cross-site origin), escaping of stored data, security headers,
// and that refused actions change nothing. The browser flows are in admin.browser.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { markSinkFailed, selectSinkState } from '../../src/store/queries/sink-admin.js';
import { TEST_API_KEY, startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { adminGet, adminLogin, adminPost, csrfTokenIn } from './helpers.js';

const HOSTILE_TITLE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"';

describe.each(STORE_KINDS)('/admin over HTTP (%s)', (kind) => {
  let server: TestServer;
  let appointmentId = 0;
  let eventId = 0;

  beforeAll(async () => {
    server = await startTestServer({ kind });
    const res = await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid('admin-http'), title: HOSTILE_TITLE }));
    const body = (await res.json()) as { appointment_id: number; event_id: number };
    appointmentId = body.appointment_id;
    eventId = body.event_id;
  });

  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
  });

  async function failedSync(): Promise<void> {
    const now = new Date();
    await markSinkFailed(server.app.store.db, 'notion', appointmentId, 'Notion answered 400', now.getTime(), now.toISOString());
  }

  it('shows the login form to a visitor without a session, and no data', async () => {
    const { status, html, response } = await adminGet(server, '/admin', '');
    expect(status).toBe(200);
    expect(html).toContain('<form class="login" method="post" action="/admin/login"');
    expect(html).not.toContain('appointments');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const events = await adminGet(server, '/admin/events', '');
    expect(events.status).toBe(303);
    expect(events.response.headers.get('location')).toBe('/admin');
  });

  it('refuses a wrong key without setting a cookie', async () => {
    const { response, setCookie } = await adminLogin(server, 'csk_not_the_key_at_all_0000');
    expect(response.status).toBe(401);
    expect(setCookie).toBe('');
    expect(await response.text()).toContain('That key is not right.');
  });

  it('logs in with the key into an HttpOnly, SameSite=Strict cookie that does not hold the key', async () => {
    const { response, setCookie, cookie } = await adminLogin(server);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin');
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/admin/);
    expect(setCookie).not.toContain(TEST_API_KEY);
    const page = await adminGet(server, '/admin', cookie);
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="appointments"');
    expect(page.html).not.toContain(TEST_API_KEY);
  });

  it('escapes stored data in every page', async () => {
    const { cookie } = await adminLogin(server);
    for (const path of ['/admin', `/admin/events/${eventId}`]) {
      const { html } = await adminGet(server, path, cookie);
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;alert(');
    }
    expect((await adminGet(server, '/admin', cookie)).html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
  });

  it('refuses a forged or tampered cookie', async () => {
    const { cookie } = await adminLogin(server);
    const tampered = cookie.slice(0, -2) + (cookie.endsWith('AA') ? 'BB' : 'AA');
    expect((await adminGet(server, '/admin', tampered)).html).toContain('action="/admin/login"');
    expect((await adminGet(server, '/admin', `calsync_admin=${TEST_API_KEY}`)).html).toContain('action="/admin/login"');
  });

  it('refuses a retry without the CSRF token or from another site, and changes nothing', async () => {
    await failedSync();
    const { cookie } = await adminLogin(server);
    const csrf = csrfTokenIn((await adminGet(server, '/admin', cookie)).html);
    const form = { sink: 'notion', appointment_id: String(appointmentId) };

    const noToken = await adminPost(server, '/admin/sync/retry', cookie, form);
    expect(noToken.status).toBe(403);
    const wrongToken = await adminPost(server, '/admin/sync/retry', cookie, { ...form, csrf: csrf.slice(1) + 'x' });
    expect(wrongToken.status).toBe(403);
    const crossSite = await adminPost(server, '/admin/sync/retry', cookie, { ...form, csrf }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const noSession = await adminPost(server, '/admin/sync/retry', '', { ...form, csrf });
    expect(noSession.status).toBe(401);
    expect((await selectSinkState(server.app.store.db, 'notion', appointmentId))?.state).toBe('failed');

    const ok = await adminPost(server, '/admin/sync/retry', cookie, { ...form, csrf }, { origin: server.url });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/admin?notice=retried');
    const row = await selectSinkState(server.app.store.db, 'notion', appointmentId);
    expect(row?.state).toBe('pending');
    expect(row?.attempts).toBe(0);
    expect(row?.next_attempt_at).toBeLessThanOrEqual(Date.now());

    const again = await adminPost(server, '/admin/sync/retry', cookie, { ...form, csrf });
    expect(again.headers.get('location')).toBe('/admin?notice=nothing_to_retry');
  });

  it('answers bad form input with a 4xx page', async () => {
    const { cookie } = await adminLogin(server);
    const csrf = csrfTokenIn((await adminGet(server, '/admin', cookie)).html);
    const bad = await adminPost(server, '/admin/sync/retry', cookie, { csrf, sink: 'notion', appointment_id: 'abc' });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/text\/html/);
    const missing = await adminGet(server, '/admin/events/987654', cookie);
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('No event 987654');
    const replayMissing = await adminPost(server, '/admin/events/987654/replay', cookie, { csrf });
    expect(replayMissing.status).toBe(404);
  });

  it('replays an event through a POST form and shows the new entry', async () => {
    const { cookie } = await adminLogin(server);
    const detail = await adminGet(server, `/admin/events/${eventId}`, cookie);
    expect(detail.html).toContain('id="raw-body"');
    const csrf = csrfTokenIn(detail.html);
    const res = await adminPost(server, `/admin/events/${eventId}/replay`, cookie, { csrf });
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    const m = /^\/admin\/events\/(\d+)\?notice=replayed$/.exec(location);
    expect(m).not.toBeNull();
    const replay = (await (await server.api(`/api/events/${m?.[1]}`)).json()) as { replay_of: number; source: string };
    expect(replay).toMatchObject({ replay_of: eventId, source: 'replay' });
  });

  it('logs out: the cookie is cleared and the old one no longer works', async () => {
    const { cookie } = await adminLogin(server);
    const csrf = csrfTokenIn((await adminGet(server, '/admin', cookie)).html);
    const out = await adminPost(server, '/admin/logout', cookie, { csrf });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/calsync_admin=;/);
    const after = await adminGet(server, '/admin', cookie);
    expect(after.html).toContain('action="/admin/login"');
    expect(after.html).not.toContain('id="appointments"');
  });
});
