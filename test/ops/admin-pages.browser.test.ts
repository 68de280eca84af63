// The issue-12 admin pages in a real browser (Debian's chromium via playwright-core), at desktop and phone
// (390 px) width: the appointment page with its retry, the overview's charts, the refused-
// signature view and search; then every admin page at 390 px: no sideways scrolling, hidden cells hidden,
// no label sitting on a row divider. Screenshots go to docs/screenshots/ with UPDATE_SCREENSHOTS=1.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { signPayload } from '../../src/calcom/signature.js';
import { markSinkFailed, selectSinkState } from '../../src/store/queries/sink-admin.js';
import { TEST_API_KEY, startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const REQUIRE_BROWSER = process.env.REQUIRE_BROWSER === '1';
const HAS_CHROMIUM = fs.existsSync(CHROMIUM_PATH);
// Full-page screenshots are slow; they are taken only when refreshing the README's (UPDATE_SCREENSHOTS=1).
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../docs/screenshots');
const LAPTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const UI_TIMEOUT_MS = 10_000;
const ORGANIZER = { name: 'Dana Whitfield', email: 'dana@example.com', timeZone: 'Europe/Berlin' };

if (!HAS_CHROMIUM && REQUIRE_BROWSER) {
  describe('admin pages in a browser', () => {
    it('needs chromium', () => {
      throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} is missing; install it with: apt-get update && apt-get install -y chromium`);
    });
  });
}

/** What a phone-width page must not do; returns the problems found (empty when none). */
const PHONE_PROBLEMS = `(() => {
  const problems = [];
  const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  if (overflow > 0) problems.push('page scrolls sideways by ' + overflow + 'px');
  // The nav wraps rather than pushing a link out of sight.
  for (const el of document.querySelectorAll('header a, header button')) {
    const box = el.getBoundingClientRect();
    if (box.left < 0 || box.right > document.documentElement.clientWidth) problems.push('nav item off screen: ' + el.textContent);
  }
  for (const el of document.querySelectorAll('.hide-sm')) {
    if (getComputedStyle(el).display !== 'none') problems.push('visible .hide-sm: ' + el.outerHTML.slice(0, 80));
  }
  for (const td of document.querySelectorAll('table.rows td')) {
    if (getComputedStyle(td).display === 'none') continue;
    const label = getComputedStyle(td, '::before');
    if (label.content === 'none' || label.content === '""') continue;
    const top = parseFloat(label.top) || 0;
    const needed = top + parseFloat(label.lineHeight);
    const height = td.getBoundingClientRect().height;
    if (height + 0.5 < needed) problems.push('label ' + label.content + ' overflows its cell (' + height + 'px < ' + needed + 'px)');
  }
  return problems;
})()`;

// One store: what the pages read is covered on both stores over HTTP (admin-pages.test.ts); this is about the
// pages in a browser, and a second browser run would double the file's time.
describe.skipIf(!HAS_CHROMIUM).each(STORE_KINDS.slice(0, 1))('admin pages in a browser (%s)', (kind) => {
  let browser: Browser;
  let server: TestServer;
  let context: BrowserContext;
  let phone: BrowserContext;
  let page: Page;
  let phonePage: Page;
  const shoot = kind === STORE_KINDS[0];
  const uid = makeBookingUid(`pages-browser-${kind}`);
  const movedUid = makeBookingUid(`pages-browser-moved-${kind}`);
  let appointmentId = 0;

  async function screenshot(p: Page, name: string): Promise<void> {
    if (!shoot || !UPDATE_SCREENSHOTS) return;
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await p.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true });
  }

  async function unsigned(raw: string, signature: string | null) {
    return fetch(`${server.url}/webhooks/calcom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Cal.com webhook', ...(signature ? { 'x-cal-signature-256': signature } : {}) },
      body: raw,
    });
  }

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    server = await startTestServer({ kind });
    // A working day: bookings, a reschedule, a payment, a no-show, an overlap, a cancellation, repeats and refusals.
    const attendee = { name: 'Robin Vale', email: 'robin@example.org', timeZone: 'America/New_York' };
    await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid, title: 'Intro session with Robin', startTime: '2030-01-07T09:00:00Z', organizer: ORGANIZER, attendee }));
    await server.sendWebhook(buildCalcomBody('BOOKING_RESCHEDULED', { uid: movedUid, rescheduleUid: uid, title: 'Intro session with Robin', startTime: '2030-01-08T09:00:00Z', organizer: ORGANIZER, attendee, rescheduleReason: 'Clash with a school run' }));
    const paid = buildCalcomBody('BOOKING_PAID', { uid: movedUid, title: 'Intro session with Robin', startTime: '2030-01-08T09:00:00Z', organizer: ORGANIZER, attendee });
    await server.sendWebhook(paid);
    await server.sendWebhook(paid);
    await server.sendWebhook(buildCalcomBody('BOOKING_NO_SHOW_UPDATED', { uid: movedUid, noShow: [{ email: 'robin@example.org', noShow: true }] }));
    await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid(`pages-browser-overlap-${kind}`), title: 'Follow-up with Ada', startTime: '2030-01-08T09:15:00Z', organizer: ORGANIZER, attendee: { name: 'Ada Brook', email: 'ada@example.org' } }));
    const cancelled = makeBookingUid(`pages-browser-cxl-${kind}`);
    await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid: cancelled, attendee: { name: 'Sam Ortiz', email: 'sam@example.org' } }));
    await server.sendWebhook(buildCalcomBody('BOOKING_CANCELLED', { uid: cancelled, cancellationReason: 'Travelling' }));
    const raw = JSON.stringify(buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid('unsigned') }));
    for (let i = 0; i < 3; i++) await unsigned(raw, signPayload(raw, 'whsec_an_old_secret'));
    await unsigned(raw, null);
    const found = ((await (await server.api(`/api/appointments?calcom_uid=${movedUid}`)).json()) as { appointments: { id: number }[] }).appointments;
    appointmentId = found[0]!.id;
    await markSinkFailed(server.app.store.db, 'notion', appointmentId, 'Notion 400 validation_error: Status option "Scheduled" does not exist', Date.now(), new Date().toISOString());

    context = await browser.newContext({ viewport: LAPTOP });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    page = await context.newPage();
    await page.goto(server.url + '/admin');
    await page.fill('#key', TEST_API_KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('#summary');
    phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    phone.setDefaultTimeout(UI_TIMEOUT_MS);
    await phone.addCookies(await context.cookies());
    phonePage = await phone.newPage();
  });

  afterAll(async () => {
    await phone?.close();
    await context?.close();
    await browser?.close();
    await server?.close();
    await server?.location.cleanup();
  });

  it('the overview draws both charts as inline SVG, legible at desktop and phone width', async () => {
    await page.goto(server.url + '/admin');
    for (const id of ['#chart-deliveries', '#chart-backlog']) {
      const box = await page.locator(`${id} > svg`).boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(await page.locator(`${id} g.bar`).count()).toBe(24);
    }
    const bars = await page.locator('#chart-deliveries rect[data-series="processed"]').count();
    expect(bars).toBeGreaterThan(0);
    expect(await page.locator('#chart-deliveries rect[data-series="refused"]').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-backlog rect[data-series="failed"]').count()).toBeGreaterThan(0);
    // No script ran or was needed: the CSP allows none.
    expect(await page.locator('script').count()).toBe(0);
    await screenshot(page, 'overview.png');

    await phonePage.goto(server.url + '/admin');
    const box = await phonePage.locator('#chart-deliveries > svg').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
    // The axis text stays readable when the SVG is scaled to the phone's width.
    const fontPx = await phonePage.locator('#chart-deliveries > svg text').first().evaluate((t) => (t as unknown as { getBoundingClientRect(): { height: number } }).getBoundingClientRect().height);
    expect(fontPx).toBeGreaterThanOrEqual(9);
    await screenshot(phonePage, 'overview-phone.png');
  });

  it('the appointment page shows its facts and timeline and retries a failed sync', async () => {
    await page.locator(`tr[data-appointment="${appointmentId}"] a`).first().click();
    await page.waitForSelector('#appointment');
    expect(new URL(page.url()).pathname).toBe(`/admin/appointments/${appointmentId}`);
    const facts = await page.locator('#appointment').textContent();
    expect(facts).toContain('2030-01-08 09:00:00Z');
    expect(facts).toMatch(/10:00 CET \(Europe\/Berlin\)/);
    expect(facts).toContain('Cal Video');
    expect(await page.locator('#uids').textContent()).toContain(uid);
    expect(await page.locator('#conflict a').count()).toBe(1);
    expect(await page.locator('#attendees').textContent()).toContain('no-show');
    expect(await page.locator('#timeline li').count()).toBe(4);
    await screenshot(page, 'appointment.png');

    await phonePage.goto(page.url());
    await phonePage.waitForSelector('#appointment');
    expect(await phonePage.evaluate(PHONE_PROBLEMS)).toEqual([]);
    await screenshot(phonePage, 'appointment-phone.png');

    await page.locator('#sync [data-sink="notion"]').getByRole('button', { name: 'Retry now' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toContain('Sync queued');
    expect(new URL(page.url()).pathname).toBe(`/admin/appointments/${appointmentId}`);
    expect(await page.locator('#sync [data-sink="notion"] .tag').textContent()).toBe('pending');
    expect((await selectSinkState(server.app.store.db, 'notion', appointmentId))?.state).toBe('pending');

    // Each event in the timeline opens its event page.
    await page.locator('#timeline li a').first().click();
    await page.waitForSelector('#raw-body');
    expect(await page.locator('#raw-body').textContent()).toContain(uid);
  });

  it('the refused-signature view says what is wrong and how to fix it', async () => {
    await page.goto(server.url + '/admin');
    await page.getByRole('link', { name: 'Signatures', exact: true }).click();
    await page.waitForSelector('#signature-reasons');
    const mismatch = page.locator('[data-reason="mismatch"]');
    expect(await mismatch.locator('b').textContent()).toBe('3');
    expect(await mismatch.textContent()).toContain('The secret in Cal.com does not match CAL_WEBHOOK_SECRET');
    expect(await page.locator('#signatures tbody tr').count()).toBe(4);
    expect(await page.locator('#signatures').textContent()).toContain('127.0.0.1');
    await screenshot(page, 'signatures.png');
    await phonePage.goto(page.url());
    expect(await phonePage.evaluate(PHONE_PROBLEMS)).toEqual([]);
    await screenshot(phonePage, 'signatures-phone.png');
  });

  it('search finds the appointment by email, name and its earlier uid', async () => {
    for (const q of ['robin@example.org', 'Robin', uid]) {
      await page.goto(server.url + '/admin/search');
      await page.fill('#search input[name=q]', q);
      await page.click('#search button');
      await page.waitForURL(/\/admin\/search\?q=/);
      expect(await page.locator(`tr[data-appointment="${appointmentId}"]`).count(), q).toBe(1);
    }
    await screenshot(page, 'search.png');
    await phonePage.goto(page.url());
    expect(await phonePage.evaluate(PHONE_PROBLEMS)).toEqual([]);
    await screenshot(phonePage, 'search-phone.png');
  });

  it('every admin page reads well at 390 px: no sideways scroll, hidden cells hidden, labels inside their rows', async () => {
    const eventId = ((await (await server.api('/api/events?limit=1')).json()) as { events: { id: number }[] }).events[0]!.id;
    const pages = ['/admin', '/admin/events', `/admin/events?appointment_id=${appointmentId}`, `/admin/events/${eventId}`, '/admin/rejected', '/admin/signatures', '/admin/search?q=robin', `/admin/appointments/${appointmentId}`, '/admin/webhooks'];
    for (const p of pages) {
      await phonePage.goto(server.url + p);
      await phonePage.waitForSelector('main');
      expect(await phonePage.evaluate(PHONE_PROBLEMS), p).toEqual([]);
    }
    await phonePage.goto(server.url + '/admin/events');
    await screenshot(phonePage, 'events-phone.png');
  });
});
