// /admin in a real browser (Debian's chromium driven by playwright-core) against the real server on both
// stores: a wrong key is refused; log in; an appointment arrives after a signed webhook; retry a failed
// sync; replay an event; log out. Saves screenshots of the main pages (to docs/screenshots/ with UPDATE_SCREENSHOTS=1).
//
// Without /usr/bin/chromium the suite is reported as skipped, unless REQUIRE_BROWSER=1 (CI), where it fails:
// install it with `apt-get update && apt-get install -y chromium`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { markSinkFailed, selectSinkState } from '../../src/store/queries/sink-admin.js';
import { TEST_API_KEY, startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const REQUIRE_BROWSER = process.env.REQUIRE_BROWSER === '1';
const HAS_CHROMIUM = fs.existsSync(CHROMIUM_PATH);
// The README's screenshots are refreshed on request (UPDATE_SCREENSHOTS=1); ordinary runs shoot into a temp
// dir, so the pages are still rendered and captured without dirtying the work tree.
const SCREENSHOT_DIR =
  process.env.UPDATE_SCREENSHOTS === '1' ? path.resolve(import.meta.dirname, '../../docs/screenshots') : fs.mkdtempSync(path.join(os.tmpdir(), 'calsync-shots-'));
const LAPTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const UI_TIMEOUT_MS = 10_000;

if (!HAS_CHROMIUM && REQUIRE_BROWSER) {
  describe('admin in a browser', () => {
    it('needs chromium', () => {
      throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} is missing; install it with: apt-get update && apt-get install -y chromium`);
    });
  });
}

describe.skipIf(!HAS_CHROMIUM).each(STORE_KINDS)('admin in a browser (%s)', (kind) => {
  let browser: Browser;
  let server: TestServer;
  let context: BrowserContext;
  let page: Page;
  // One set of screenshots is enough; the first store writes them.
  const shoot = kind === STORE_KINDS[0];
  const uid = makeBookingUid(`browser-${kind}`);

  async function screenshot(p: Page, name: string): Promise<void> {
    if (!shoot) return;
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await p.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true });
  }

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    server = await startTestServer({ kind });
    context = await browser.newContext({ viewport: LAPTOP });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await server?.location.cleanup();
  });

  function appointmentRow(p: Page) {
    return p.locator(`tr[data-uid="${uid}"]`);
  }

  it('refuses a wrong key and sets no cookie', async () => {
    await page.goto(server.url + '/admin');
    await screenshot(page, 'login.png');
    await page.fill('#key', 'csk_this_is_not_the_key_000');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('.notice.error').textContent()).toContain('That key is not right.');
    expect(await context.cookies()).toEqual([]);
    expect(page.url()).not.toContain('csk_');
  });

  it('logs in into an HttpOnly, SameSite=Strict cookie; the key never appears in a URL', async () => {
    await page.fill('#key', TEST_API_KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('#summary');
    expect(new URL(page.url()).pathname).toBe('/admin');
    expect(page.url()).not.toContain(TEST_API_KEY);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'calsync_admin', httpOnly: true, sameSite: 'Strict', path: '/admin' });
    expect(cookies[0]?.value).not.toContain(TEST_API_KEY);
  });

  it('shows an appointment after a signed webhook arrives', async () => {
    expect(await appointmentRow(page).count()).toBe(0);
    const res = await server.sendWebhook(
      buildCalcomBody('BOOKING_CREATED', { uid, title: 'Intro session with Robin', attendee: { name: 'Robin Vale', email: 'robin@example.org' } }),
    );
    expect(res.status).toBe(200);
    // Some neighbours, so the pages show what a working day looks like.
    await server.sendWebhook(buildCalcomBody('BOOKING_REQUESTED', { uid: makeBookingUid(`browser-req-${kind}`), attendee: { name: 'Ada Brook', email: 'ada@example.org' } }));
    const cancelled = makeBookingUid(`browser-cxl-${kind}`);
    await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid: cancelled, attendee: { name: 'Sam Ortiz', email: 'sam@example.org' } }));
    await server.sendWebhook(buildCalcomBody('BOOKING_CANCELLED', { uid: cancelled, cancellationReason: 'Travelling' }));
    await server.sendWebhook(buildCalcomBody('PING'));
    await server.sendWebhook(null, { raw: '{"triggerEvent":"BOOKING_CREATED",' });

    await page.reload();
    await expect.poll(() => appointmentRow(page).count()).toBe(1);
    expect(await appointmentRow(page).textContent()).toContain('Intro session with Robin');
    expect(await appointmentRow(page).locator('.tag').first().textContent()).toBe('accepted');
  });

  it('retries a failed sync from the overview', async () => {
    const appointmentId = Number(await appointmentRow(page).getAttribute('data-appointment'));
    const failedAt = new Date();
    await markSinkFailed(server.app.store.db, 'notion', appointmentId, 'Notion 400 validation_error: Status option "Scheduled" does not exist', failedAt.getTime(), failedAt.toISOString());
    await page.reload();
    const sync = appointmentRow(page).locator('[data-sink="notion"]');
    expect(await sync.locator('.tag').textContent()).toBe('failed');
    await screenshot(page, 'overview.png');

    await sync.getByRole('button', { name: 'Retry now' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toContain('Sync queued');
    expect(await appointmentRow(page).locator('[data-sink="notion"] .tag').textContent()).toBe('pending');
    expect(await appointmentRow(page).locator('[data-sink="notion"] button').count()).toBe(0);
    const row = await selectSinkState(server.app.store.db, 'notion', appointmentId);
    expect(row).toMatchObject({ state: 'pending', attempts: 0 });
    expect(row?.next_attempt_at).toBeLessThanOrEqual(Date.now());
  });

  it('shows the event log with the raw payload and replays an event', async () => {
    await page.getByRole('link', { name: 'Event log' }).click();
    await page.waitForSelector('#events');
    await screenshot(page, 'events.png');
    const createdRow = page.locator('#events tbody tr', { hasText: uid }).filter({ hasText: 'BOOKING_CREATED' });
    const eventId = Number(await createdRow.getAttribute('data-event'));
    await createdRow.getByRole('link', { name: String(eventId) }).click();
    await page.waitForSelector('#raw-body');
    expect(await page.locator('#raw-body').textContent()).toContain(`"uid": "${uid}"`);
    await screenshot(page, 'event.png');

    await page.getByRole('button', { name: 'Replay this event' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toContain('Replayed');
    const newId = Number(/\/admin\/events\/(\d+)/.exec(page.url())?.[1]);
    expect(newId).toBeGreaterThan(eventId);
    expect(await page.locator('#event').textContent()).toContain(`#${eventId}`);
    const stored = (await (await server.api(`/api/events/${newId}`)).json()) as { replay_of: number; source: string; result: string };
    expect(stored).toMatchObject({ replay_of: eventId, source: 'replay', result: 'processed' });
  });

  it('reads well on a phone', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    try {
      await phone.addCookies(await context.cookies());
      const p = await phone.newPage();
      await p.goto(server.url + '/admin');
      await p.waitForSelector('#summary');
      // The page itself does not scroll sideways; wide tables scroll inside their own box.
      const overflow = await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(p, 'overview-phone.png');
    } finally {
      await phone.close();
    }
  });

  it('logs out', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toContain('Logged out.');
    await page.waitForSelector('#key');
    expect(await context.cookies()).toEqual([]);
    await page.goto(server.url + '/admin/events');
    expect(new URL(page.url()).pathname).toBe('/admin');
    expect(await page.locator('#key').count()).toBe(1);
  });
});
