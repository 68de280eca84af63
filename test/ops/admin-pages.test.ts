// The issue-12 admin pages over real HTTP, on both stores: refused signatures with the fix in words (never
// a body), the appointment page (times in two zones, attendees with no-show, payment, the overlapping
// appointment, every uid, the timeline, each sink with retry), search, filtered lists, and the charts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { signPayload } from '../../src/calcom/signature.js';
import pino from 'pino';
import { RejectionLog, triggerNamedIn } from '../../src/intake/rejection-log.js';
import { insertRefusedSignature, pruneRefusedSignatures } from '../../src/store/queries/refused-deliveries.js';
import { markSinkFailed, selectSinkState } from '../../src/store/queries/sink-admin.js';
import { startTestServer, TEST_WEBHOOK_SECRET, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { adminGet, adminLogin, adminPost, csrfTokenIn } from './helpers.js';

const BODY_MARKER = 'secret-body-marker-7f3a';
const ORGANIZER = { name: 'Dana Whitfield', email: 'dana@example.com', timeZone: 'Europe/Berlin' };

describe.each(STORE_KINDS)('admin pages (%s)', (kind) => {
  let server: TestServer;
  let cookie: string;
  const first = makeBookingUid(`admin-pages-${kind}-first`);
  const moved = makeBookingUid(`admin-pages-${kind}-moved`);
  const other = makeBookingUid(`admin-pages-${kind}-other`);
  let appointmentId: number;
  let otherId: number;

  async function post(raw: string, signature: string | null) {
    return fetch(`${server.url}/webhooks/calcom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-cal-signature-256': signature } : {}) },
      body: raw,
    });
  }

  beforeAll(async () => {
    server = await startTestServer({ kind });
    cookie = (await adminLogin(server)).cookie;
  });
  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
  });

  it('refused signatures: counts by reason, source, trigger and the fix; never the body; the overview warns', async () => {
    const raw = JSON.stringify({ triggerEvent: 'BOOKING_CREATED', payload: { uid: 'x', notes: BODY_MARKER } });
    expect((await post(raw, signPayload(raw, 'whsec_the_wrong_secret'))).status).toBe(401);
    expect((await post(raw, signPayload(raw, 'whsec_the_wrong_secret'))).status).toBe(401);
    expect((await post(raw, null)).status).toBe(401);
    expect((await post('not json at all', 'zz')).status).toBe(401);

    const overview = await adminGet(server, '/admin', cookie);
    expect(overview.html).toContain('id="secret-warning"');
    expect(overview.html).toContain('does not match CAL_WEBHOOK_SECRET');

    const page = await adminGet(server, '/admin/signatures', cookie);
    expect(page.status).toBe(200);
    const card = (reason: string) => new RegExp(`data-reason="${reason}"><b>(\\d+)</b>`).exec(page.html)?.[1];
    expect(card('mismatch')).toBe('2');
    expect(card('missing')).toBe('1');
    expect(card('malformed')).toBe('1');
    expect(page.html).toContain('The secret in Cal.com does not match CAL_WEBHOOK_SECRET');
    expect(page.html).toContain('npx calsync calcom register --url https://YOUR-HOST');
    const rows = [...page.html.matchAll(/<tr data-refused="\d+">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.includes('127.0.0.1'))).toBe(true);
    expect(rows.filter((r) => r.includes('BOOKING_CREATED'))).toHaveLength(3);
    expect(page.html).toMatch(/<td data-label="Hour \(UTC\)">\d{4}-\d{2}-\d{2} \d{2}:00<\/td><td data-label="Reason">mismatch<\/td><td data-label="Requests">2<\/td>/);
    expect(page.html).not.toContain(BODY_MARKER);
  });

  it('refused signatures are written at most 120 a minute (anyone can send them)', () => {
    const log = new RejectionLog(server.app.store, pino({ level: 'silent' }));
    const refused = { reason: 'missing', sourceIp: '192.0.2.1', userAgent: null, rawBody: Buffer.from('{"triggerEvent":"PING"}') };
    // Two days ago: outside the pages' 24 hours, so the other tests' counts stay as they are.
    const at = Date.now() - 2 * 24 * 60 * 60_000;
    const written = Array.from({ length: 125 }, () => log.recordRefusedSignature(refused, at));
    expect(written.filter(Boolean)).toHaveLength(120);
    expect(log.recordRefusedSignature(refused, at + 59_000)).toBe(false);
    expect(log.recordRefusedSignature(refused, at + 60_000)).toBe(true);
  });

  it('refused signatures are kept bounded', async () => {
    const db = server.app.store.db;
    for (let i = 0; i < 30; i++) await insertRefusedSignature(db, { received_at: new Date().toISOString(), reason: 'mismatch', source_ip: '10.0.0.1', trigger: null, user_agent: null });
    await pruneRefusedSignatures(db, 10);
    const { count } = (await db.selectFrom('refused_signatures').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()) as { count: number };
    expect(Number(count)).toBe(10);
  });

  it('the appointment page shows the facts, the overlap, every uid, the timeline and each sink with retry', async () => {
    const created = buildCalcomBody('BOOKING_CREATED', { uid: first, startTime: '2030-01-07T09:00:00Z', organizer: ORGANIZER, attendee: { name: 'Robin Quarry', email: 'robin.quarry@example.org', timeZone: 'America/New_York' } });
    expect((await server.sendWebhook(created)).status).toBe(200);
    const rescheduled = buildCalcomBody('BOOKING_RESCHEDULED', { uid: moved, rescheduleUid: first, startTime: '2030-01-08T09:00:00Z', organizer: ORGANIZER, attendee: { name: 'Robin Quarry', email: 'robin.quarry@example.org' } });
    expect((await server.sendWebhook(rescheduled)).status).toBe(200);
    expect((await server.sendWebhook(buildCalcomBody('BOOKING_PAID', { uid: moved, startTime: '2030-01-08T09:00:00Z', organizer: ORGANIZER, attendee: { name: 'Robin Quarry', email: 'robin.quarry@example.org' } }))).status).toBe(200);
    expect((await server.sendWebhook(buildCalcomBody('BOOKING_NO_SHOW_UPDATED', { uid: moved, noShow: [{ email: 'robin.quarry@example.org', noShow: true }] }))).status).toBe(200);
    const overlapping = buildCalcomBody('BOOKING_CREATED', { uid: other, startTime: '2030-01-08T09:15:00Z', organizer: ORGANIZER, attendee: { name: 'Sam Other', email: 'sam@example.org' } });
    expect((await server.sendWebhook(overlapping)).status).toBe(200);

    const api = async (uid: string) => ((await (await server.api(`/api/appointments?calcom_uid=${uid}`)).json()) as any).appointments[0];
    appointmentId = (await api(moved)).id;
    otherId = (await api(other)).id;
    expect((await api(first)).id).toBe(appointmentId);

    const page = await adminGet(server, `/admin/appointments/${appointmentId}`, cookie);
    expect(page.status).toBe(200);
    // Times in UTC and in the organizer's zone (Berlin is UTC+1 in January).
    expect(page.html).toContain('2030-01-08 09:00:00Z');
    expect(page.html).toMatch(/Tue,? 8 Jan 2030,? 10:00 CET \(Europe\/Berlin\)/);
    expect(page.html).toMatch(/<td data-label="Email">robin\.quarry@example\.org<\/td>[\s\S]*?<span class="tag s-failed">no-show<\/span>/);
    expect(page.html).toMatch(/<dt>Payment<\/dt><dd><span class="tag s-paid">paid<\/span>/);
    expect(page.html).toContain(`<a href="/admin/appointments/${otherId}">#${otherId}</a>`);
    const uids = /<dd id="uids">([\s\S]*?)<\/dd>/.exec(page.html)![1]!;
    expect(uids).toContain(first);
    expect(uids).toContain(`${moved} <span class="muted">(current)</span>`);
    expect(page.html).toContain('Cal Video');
    const events = ((await (await server.api(`/api/events?appointment_id=${appointmentId}`)).json()) as { events: { id: number }[] }).events;
    expect(events.length).toBe(4);
    for (const e of events) expect(page.html).toContain(`<a href="/admin/events/${e.id}">#${e.id} `);
    // Oldest first.
    const order = [...page.html.matchAll(/<li data-event="(\d+)">/g)].map((m) => Number(m[1]));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    // A failed sync shows a retry button that returns here.
    await markSinkFailed(server.app.store.db, 'notion', appointmentId, 'Notion said no', Date.now(), new Date().toISOString());
    const failed = await adminGet(server, `/admin/appointments/${appointmentId}`, cookie);
    expect(failed.html).toMatch(/<tr data-sink="notion">[\s\S]*?s-failed[\s\S]*?Notion said no[\s\S]*?Retry now/);
    const res = await adminPost(server, '/admin/sync/retry', cookie, { csrf: csrfTokenIn(failed.html), sink: 'notion', appointment_id: String(appointmentId), back: 'appointment' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/appointments/${appointmentId}?notice=retried`);
    expect((await selectSinkState(server.app.store.db, 'notion', appointmentId))?.state).not.toBe('failed');
    // Without the CSRF token nothing happens.
    expect((await adminPost(server, '/admin/sync/retry', cookie, { csrf: 'nope', sink: 'notion', appointment_id: String(appointmentId) })).status).toBe(403);
  });

  it('reads only a trigger-shaped word from an unsigned body', () => {
    expect(triggerNamedIn(Buffer.from('{"triggerEvent": "BOOKING_CREATED","payload":{}}'))).toBe('BOOKING_CREATED');
    expect(triggerNamedIn(Buffer.from('{"triggerEvent":"<script>"}'))).toBeNull();
    expect(triggerNamedIn(Buffer.from('not json'))).toBeNull();
    expect(triggerNamedIn(Buffer.from(`{"pad":"${'x'.repeat(70_000)}","triggerEvent":"PING"}`))).toBeNull();
  });

  it('the nav links every admin section, outbound webhooks too, and marks the one shown', async () => {
    const nav = (h: string) => /<header>([\s\S]*?)<\/header>/.exec(h)![1]!;
    for (const p of ['/admin', '/admin/events', '/admin/search?q=x']) {
      const header = nav((await adminGet(server, p, cookie)).html);
      for (const href of ['/admin', '/admin/events', '/admin/rejected', '/admin/signatures', '/admin/webhooks', '/admin/search']) expect(header, p).toContain(`<a href="${href}"`);
    }
    const webhooks = await adminGet(server, '/admin/webhooks', cookie);
    expect(webhooks.status).toBe(200);
    expect(nav(webhooks.html)).toContain('<a href="/admin/webhooks" aria-current="page">Webhooks</a>');
    expect(nav(webhooks.html).match(/aria-current/g)).toHaveLength(1);
  });

  it('a missing appointment is a 404 page; a bad id a 400 page', async () => {
    expect((await adminGet(server, '/admin/appointments/999999', cookie)).status).toBe(404);
    expect((await adminGet(server, '/admin/appointments/abc', cookie)).status).toBe(422);
  });

  it('lists show no-show and payment, link to the appointment page, and say when they are filtered', async () => {
    const overview = await adminGet(server, '/admin', cookie);
    const row = new RegExp(`<tr data-appointment="${appointmentId}"[\\s\\S]*?</tr>`).exec(overview.html)![0];
    expect(row).toContain(`<a href="/admin/appointments/${appointmentId}">`);
    expect(row).toContain('no-show');
    expect(row).toContain('paid');
    expect(row).toContain('overlap');
    expect(overview.html).not.toContain('id="list-filter"');
    const older = await adminGet(server, `/admin?before_id=${otherId}`, cookie);
    expect(older.html).toMatch(/id="list-filter">Showing older appointments[\s\S]*?<a href="\/admin">Back to the newest<\/a>/);

    const filtered = await adminGet(server, `/admin/events?appointment_id=${appointmentId}&trigger=BOOKING_PAID`, cookie);
    expect(filtered.html).toMatch(/id="list-filter">Filtered by trigger <b>BOOKING_PAID<\/b>, appointment <a href="\/admin\/appointments\/\d+">#\d+<\/a>\. <a href="\/admin\/events">Clear the filters<\/a>/);
    expect((await adminGet(server, '/admin/events', cookie)).html).not.toContain('id="list-filter"');
  });

  it('search finds an appointment by attendee email, name or any uid; wildcards match only as typed', async () => {
    const found = async (q: string) => [...(await adminGet(server, `/admin/search?q=${encodeURIComponent(q)}`, cookie)).html.matchAll(/<tr data-appointment="(\d+)"/g)].map((m) => Number(m[1]));
    expect(await found('robin.quarry@example.org')).toEqual([appointmentId]);
    expect(await found('ROBIN QUARRY')).toEqual([appointmentId]);
    expect(await found('quarry')).toEqual([appointmentId]);
    expect(await found(first)).toEqual([appointmentId]);
    expect(await found(moved)).toEqual([appointmentId]);
    expect(await found(other)).toEqual([otherId]);
    expect(await found('%'), '%').toEqual([]);
    expect(await found('_'), '_').toEqual([]);
    expect(await found("' or 1=1 --"), 'quote').toEqual([]);
    expect((await adminGet(server, `/admin/search?q=${'x'.repeat(201)}`, cookie)).status).toBe(422);
    expect((await adminGet(server, '/admin/search', cookie)).status).toBe(200);
  });

  it('the overview draws deliveries per hour and the sync backlog as SVG, under the strict CSP', async () => {
    const page = await adminGet(server, '/admin', cookie);
    const deliveries = /<figure class="chart" id="chart-deliveries">([\s\S]*?)<\/figure>/.exec(page.html)![1]!;
    expect((deliveries.match(/<g class="bar"/g) ?? []).length).toBe(24);
    const sum = (series: string) => [...deliveries.matchAll(new RegExp(`data-series="${series}" data-value="(\\d+)"`, 'g'))].reduce((n, m) => n + Number(m[1]), 0);
    expect(sum('processed')).toBe(5);
    expect(sum('refused')).toBeGreaterThanOrEqual(4);
    expect(page.html).toContain('id="chart-backlog"');
    const csp = page.response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(page.html).not.toContain('<script');
  });
});
