// Backfill and resync (CONTRACT "Sinks: backfill and resync"), end to end over HTTP on both stores:
// appointments stored while Notion was off are mirrored once it is switched on (one Sessions page each,
// none twice); `POST /api/sinks/notion/resync` and `calsync sinks resync notion` bring back a Sessions page
// trashed by hand, so each booking again has exactly one live page.
import { Client } from '@notionhq/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { countSinkRowsByState } from '../../src/store/queries/sink-work.js';
import { runCli } from '../cli/capture.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/server.js';
import { freshStoreLocation, STORE_KINDS, type StoreLocation } from '../support/stores.js';
import { calcomBody, sendAllAccepted, startNotionWorkspace, waitFor, type NotionWorkspace } from './support/notion.js';

const APPOINTMENTS = 50;
const SETTLE_TIMEOUT_MS = 30_000;

describe.each(STORE_KINDS)('Notion backfill and resync (%s)', (kind) => {
  let location: StoreLocation;
  let notion: NotionWorkspace;
  let server: TestServer | undefined;
  const uids = Array.from({ length: APPOINTMENTS }, (_, i) => makeBookingUid(`backfill-${i}`));

  beforeAll(async () => {
    location = await freshStoreLocation(kind);
    notion = await startNotionWorkspace();
  });

  afterAll(async () => {
    await server?.close();
    await location?.cleanup();
    await notion?.close();
  });

  const creates = (uid: string) => notion.emulator.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages' && r.status === 200 && JSON.stringify(r.body).includes(uid)).length;

  /** Every booking has exactly one live Sessions page, and the mirror has nothing left to do. */
  async function waitOnePagePerBooking(what: string): Promise<void> {
    await waitFor(
      what,
      async () => {
        const states = await countSinkRowsByState(server!.app.store.db, 'notion');
        const settled = states.synced === APPOINTMENTS && Object.keys(states).length === 1;
        return settled && notion.sessions().length === APPOINTMENTS && uids.every((uid) => notion.sessionsWithUid(uid).length === 1);
      },
      { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 200 },
    );
  }

  it('stores appointments while Notion is off: not mirrored, and resync answers 503', async () => {
    server = await startTestServer({ kind, location });
    const attendees = Array.from({ length: 5 }, (_, i) => ({ name: `Client ${i}`, email: `client${i}@backfill.example.com` }));
    await sendAllAccepted(
      server,
      uids.map((uid, i) => calcomBody('BOOKING_CREATED', { uid, attendee: attendees[i % attendees.length] })),
    );
    const res = await server.api(`/api/appointments?calcom_uid=${uids[0]}`);
    const [first] = ((await res.json()) as { appointments: { sync: { notion: { state: string } } }[] }).appointments;
    expect(first?.sync.notion.state).toBe('not_mirrored');

    const refused = await server.api('/api/sinks/notion/resync', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('sink_not_configured');
    await server.close();
    server = undefined;
  });

  it('switching Notion on mirrors every stored appointment: one Sessions page each, none created twice', async () => {
    server = await startTestServer({ kind, location, env: notion.env(100) });
    await waitOnePagePerBooking(`${APPOINTMENTS} Sessions pages`);
    expect(notion.sessions()).toHaveLength(APPOINTMENTS);
    for (const uid of uids) expect(creates(uid), uid).toBe(1);
  });

  it('refuses a bad resync request and changes nothing', async () => {
    const unknown = await server!.api('/api/sinks/nope/resync', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('sink_not_found');
    const badSince = await server!.api('/api/sinks/notion/resync', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"since":"yesterday"}' });
    expect(badSince.status).toBe(422);
    expect(await countSinkRowsByState(server!.app.store.db, 'notion')).toEqual({ synced: APPOINTMENTS });
    const future = await server!.api('/api/sinks/notion/resync', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"since":"2999-01-01"}' });
    expect(future.status).toBe(202);
    expect(await future.json()).toMatchObject({ sink: 'notion', marked: 0 });
  });

  it('a Sessions page trashed by hand comes back after `POST /api/sinks/notion/resync`, still one live page per booking', async () => {
    const uid = uids[7] as string;
    const [page] = notion.sessionsWithUid(uid);
    const client = new Client({ auth: notion.emulator.token, baseUrl: notion.emulator.url });
    await client.pages.update({ page_id: page!.id, in_trash: true });
    expect(notion.sessionsWithUid(uid)).toHaveLength(0);

    const res = await server!.api('/api/sinks/notion/resync', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ sink: 'notion', marked: APPOINTMENTS });
    await waitOnePagePerBooking('the trashed page restored');
    expect(notion.sessionsWithUid(uid).map((p) => p.id)).toEqual([page!.id]);
    expect(creates(uid)).toBe(1);
  });

  it('`calsync sinks resync notion --since` does the same from the command line', async () => {
    const uid = uids[11] as string;
    const [page] = notion.sessionsWithUid(uid);
    const client = new Client({ auth: notion.emulator.token, baseUrl: notion.emulator.url });
    await client.pages.update({ page_id: page!.id, in_trash: true });

    const run = await runCli(['sinks', 'resync', 'notion', '--since', '2000-01-01', '--url', server!.url, '--key', TEST_API_KEY]);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain(`POST ${server!.url}/api/sinks/notion/resync`);
    expect(run.out).toContain('HTTP 202');
    await waitOnePagePerBooking('the page trashed before the CLI resync restored');
    expect(notion.sessionsWithUid(uid).map((p) => p.id)).toEqual([page!.id]);

    const wrong = await runCli(['sinks', 'resync', 'notion', '--since', 'soon', '--url', server!.url, '--key', TEST_API_KEY]);
    expect(wrong.code).toBe(2);
  });
});
