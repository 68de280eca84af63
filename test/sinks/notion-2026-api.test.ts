// Notion as it is at the end of 2026, driven through the real @notionhq/client against the emulator:
// Notion-Version 2026-03-11 (in_trash, never archived) and the Free plan's block cap. The 429 reasons and
// 529s are in notion-2026-limits.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { BLOCK_LIMIT_FAILURE } from '../../src/sinks/notion/errors.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { freshStoreLocation, STORE_KINDS, type StoreLocation } from '../support/stores.js';
import { calcomBody, sendAllAccepted, startNotionWorkspace, waitFor, type NotionWorkspace } from './support/notion.js';

const VERSION = '2026-03-11';

interface SyncView {
  state: string;
  page_id: string | null;
  last_error: string | null;
  attempts: number;
  next_attempt_at: string | null;
}

describe.each(STORE_KINDS)('Notion 2026 (%s)', (kind) => {
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

  async function syncOf(s: TestServer, uid: string): Promise<SyncView | undefined> {
    const res = await s.api(`/api/appointments?calcom_uid=${uid}`);
    return ((await res.json()) as { appointments: { sync: { notion?: SyncView } }[] }).appointments[0]?.sync.notion;
  }

  it('speaks 2026-03-11 only, never sends archived, and restores a trashed page through in_trash', { timeout: 30_000 }, async () => {
    const { notion: n, server: s } = await start();
    const uid = makeBookingUid();
    await sendAllAccepted(s, [calcomBody('BOOKING_CREATED', { uid })]);
    const synced = await waitFor('the booking synced', async () => {
      const sync = await syncOf(s, uid);
      return sync?.state === 'synced' ? sync : undefined;
    });
    // Someone trashes the page in Notion (with the current API version, which answers in_trash only).
    const trash = await fetch(`${n.emulator.url}/v1/pages/${synced.page_id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${n.emulator.token}`, 'notion-version': VERSION, 'content-type': 'application/json' },
      body: JSON.stringify({ in_trash: true }),
    });
    const trashed = (await trash.json()) as Record<string, unknown>;
    expect(trashed).toMatchObject({ in_trash: true });
    expect('archived' in trashed).toBe(false);

    await sendAllAccepted(s, [calcomBody('BOOKING_CANCELLED', { uid, cancellationReason: 'Moved abroad' })]);
    await waitFor('the cancellation on a restored page', () => {
      const page = n.emulator.state.page(synced.page_id ?? '');
      return page !== undefined && !page.inTrash && page.plain.Status === 'Cancelled';
    });
    const sent = n.emulator.requests;
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent.map((r) => r.notionVersion))).toEqual(new Set([VERSION]));
    expect(sent.filter((r) => r.body !== null && typeof r.body === 'object' && 'archived' in r.body)).toEqual([]);
    expect(sent.some((r) => r.method === 'PATCH' && (r.body as { in_trash?: unknown } | undefined)?.in_trash === false)).toBe(true);
    expect(n.sessionsWithUid(uid, true)).toHaveLength(1);
  });

  it('the Free plan block cap fails the appointment with a message saying so, once, while edits go on', { timeout: 30_000 }, async () => {
    const { notion: n, server: s } = await start();
    const first = makeBookingUid();
    await sendAllAccepted(s, [calcomBody('BOOKING_CREATED', { uid: first })]);
    await waitFor('the first booking synced', async () => (await syncOf(s, first))?.state === 'synced');
    n.emulator.setBlockLimit(n.emulator.state.pages().length);

    const refused = makeBookingUid();
    await sendAllAccepted(s, [calcomBody('BOOKING_CREATED', { uid: refused })]);
    const failed = await waitFor('the refusal', async () => {
      const sync = await syncOf(s, refused);
      return sync?.state === 'failed' ? sync : undefined;
    });
    expect(failed.last_error?.startsWith(BLOCK_LIMIT_FAILURE)).toBe(true);
    expect(failed.last_error).toContain("Free plan's block limit");
    expect(failed).toMatchObject({ attempts: 1, next_attempt_at: null, page_id: null });

    // Edits do not create blocks: the first booking's cancellation still reaches its page.
    await sendAllAccepted(s, [calcomBody('BOOKING_CANCELLED', { uid: first })]);
    await waitFor('the cancellation synced', () => n.sessionsWithUid(first)[0]?.plain.Status === 'Cancelled');
    expect(await syncOf(s, refused)).toMatchObject({ state: 'failed', attempts: 1 });
    const createsOfRefused = n.emulator.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages' && JSON.stringify(r.body).includes(refused));
    expect(createsOfRefused.map((r) => r.status)).toEqual([400]);
    expect(n.sessionsWithUid(refused, true)).toHaveLength(0);
  });
});
