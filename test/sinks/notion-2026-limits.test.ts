// Notion's 2026 limits, driven through the real @notionhq/client against the emulator: a 429 that says
// which limit was hit (kept and shown), and a 529 service_overload handled like a 503 with a sink-wide pause.
import { afterEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { summarizeLastDay } from '../../src/http/admin/summary.js';
import { selectNotionPause } from '../../src/store/queries/notion.js';
import { WORKSPACE_RATE_LIMIT_REASON } from '../emulators/notion/index.js';
import { scrape } from '../ops/helpers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { freshStoreLocation, STORE_KINDS, type StoreLocation } from '../support/stores.js';
import { calcomBody, sendAllAccepted, startNotionWorkspace, waitAllSynced, type NotionWorkspace } from './support/notion.js';

/** Requests already on the wire when the 429/529 came back may still arrive a little after it. */
const IN_FLIGHT_SLACK_MS = 400;
const RETRY_AFTER_SECONDS = 2;

describe.each(STORE_KINDS)('Notion 2026 limits (%s)', (kind) => {
  let notion: NotionWorkspace | undefined;
  let server: TestServer | undefined;
  let location: StoreLocation | undefined;

  afterEach(async () => {
    await server?.close();
    await location?.cleanup();
    await notion?.close();
    server = location = notion = undefined;
  });

  async function start(): Promise<{ notion: NotionWorkspace; server: TestServer }> {
    notion = await startNotionWorkspace();
    location = await freshStoreLocation(kind);
    server = await startTestServer({ location, env: { ...notion.env(40), LOG_LEVEL: 'warn' } });
    return { notion, server };
  }

  /** No request of the sink reached Notion while it was paused after `hit` (requests in flight excepted). */
  function requestsDuringPause(n: NotionWorkspace, hitAt: number, pauseMs: number): number {
    return n.emulator.requests.filter((r) => r.at > hitAt + IN_FLIGHT_SLACK_MS && r.at < hitAt + pauseMs - IN_FLIGHT_SLACK_MS).length;
  }

  it('a 429 with a rate_limit_reason pauses the sink for Retry-After, and the reason is logged, kept and shown', { timeout: 30_000 }, async () => {
    const { notion: n, server: s } = await start();
    n.emulator.failNext('429', { method: 'POST', path: '/v1/pages', rateLimitReason: WORKSPACE_RATE_LIMIT_REASON, retryAfterSeconds: RETRY_AFTER_SECONDS });
    const uids = Array.from({ length: 3 }, () => makeBookingUid());
    await sendAllAccepted(s, uids.map((uid) => calcomBody('BOOKING_CREATED', { uid })));
    await waitAllSynced(s, uids.length, 20_000);

    const hit = n.emulator.requests.find((r) => r.status === 429);
    expect(hit).toBeDefined();
    expect(requestsDuringPause(n, hit!.at, RETRY_AFTER_SECONDS * 1000)).toBe(0);
    for (const uid of uids) expect(n.sessionsWithUid(uid, true)).toHaveLength(1);
    expect(n.clients()).toHaveLength(1);

    const line = s.logs.find((l) => l.rate_limit_reason === WORKSPACE_RATE_LIMIT_REASON);
    expect(line).toMatchObject({ status: 429, code: 'rate_limited', pause_ms: RETRY_AFTER_SECONDS * 1000, msg: 'Notion rate limit hit: pausing the whole sink' });
    const pause = await selectNotionPause(s.app.store.db);
    expect(pause?.untilMs).toBeGreaterThanOrEqual(hit!.at + RETRY_AFTER_SECONDS * 1000 - IN_FLIGHT_SLACK_MS);
    expect(pause?.cause).toMatchObject({ status: 429, code: 'rate_limited', reason: WORKSPACE_RATE_LIMIT_REASON });
    const summary = await summarizeLastDay(s.app.store.db, Date.now());
    expect(summary.lastError?.where).toBe('Notion paused the mirror');
    expect(summary.lastError?.message).toContain(`rate_limit_reason: ${WORKSPACE_RATE_LIMIT_REASON}`);
  });

  it('a 529 pauses the whole sink (Retry-After, else a backoff) and the request is re-sent: no page lost, none twice', { timeout: 30_000 }, async () => {
    const { notion: n, server: s } = await start();
    n.emulator.failNext('529', { method: 'POST', path: '/v1/pages', retryAfterSeconds: RETRY_AFTER_SECONDS });
    n.emulator.failNext('529', { method: 'POST', path: '/v1/pages' });
    const uids = Array.from({ length: 3 }, () => makeBookingUid());
    await sendAllAccepted(s, uids.map((uid) => calcomBody('BOOKING_CREATED', { uid })));
    await waitAllSynced(s, uids.length, 25_000);

    const overloads = n.emulator.requests.filter((r) => r.status === 529);
    expect(overloads).toHaveLength(2);
    expect(requestsDuringPause(n, overloads[0]!.at, RETRY_AFTER_SECONDS * 1000)).toBe(0);
    for (const uid of uids) expect(n.sessionsWithUid(uid, true)).toHaveLength(1);
    expect(n.clients()).toHaveLength(1);
    const creates = n.emulator.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages');
    expect(creates.filter((r) => r.status === 200)).toHaveLength(uids.length + 1);
    expect(creates).toHaveLength(uids.length + 1 + overloads.length);

    const lines = s.logs.filter((l) => l.msg === 'Notion is overloaded (529): pausing the whole sink');
    expect(lines.map((l) => l.pause_ms)[0]).toBe(RETRY_AFTER_SECONDS * 1000);
    expect(lines).toHaveLength(2);
    // The second 529 had no Retry-After: its pause came from the backoff, and that is what is kept.
    const pause = await selectNotionPause(s.app.store.db);
    expect(pause?.cause).toMatchObject({ status: 529, code: 'service_overload', reason: null });
    expect(pause?.cause?.message).toContain('no Retry-After; backoff');

    // Both 529s are counted, apart from 429s, with their pauses (the first one's Retry-After at least).
    const metrics = await scrape(s);
    expect(metrics.get('calsync_notion_overloads_total')).toBe(2);
    expect(metrics.get('calsync_notion_overload_pause_seconds_total')).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS);
    expect(metrics.get('calsync_notion_rate_limited_total')).toBe(0);
    expect(metrics.get('calsync_notion_retries_total{reason="service_overload"}')).toBe(2);
  });

});
