// Pages that exist already: a store meeting a Notion database that has pages for its bookings and clients
// (a wiped DATA_DIR, a previous installation) updates them instead of adding duplicates; and when two
// appointment records prove to be one booking, the duplicate Sessions page goes to the trash.
import { afterEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { calcomBody, startNotionWorkspace, waitFor, type NotionWorkspace } from './support/notion.js';

const text = (content: string) => [{ type: 'text', text: { content } }];

describe.each(STORE_KINDS)('pages that already exist (%s)', (kind) => {
  let notion: NotionWorkspace | undefined;
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    await server?.location.cleanup();
    await notion?.close();
    server = notion = undefined;
  });

  async function syncedStates(): Promise<Record<string, string>> {
    const rows = await server!.app.store.db.selectFrom('sink_state').select(['appointment_id', 'state']).where('sink', '=', 'notion').execute();
    return Object.fromEntries(rows.map((r) => [String(r.appointment_id), r.state]));
  }

  it('a fresh store adopts the booking page and the client page Notion already has', async () => {
    notion = await startNotionWorkspace();
    const uid = makeBookingUid();
    const client = notion.emulator.state.createPage(notion.clientsDataSourceId, { Name: { title: text('Jamie R.') }, Email: { email: 'Jamie.Rivera@Example.com' } });
    const page = notion.emulator.state.createPage(notion.sessionsDataSourceId, {
      Name: { title: text('Old import') },
      'Booking UID': { rich_text: text(uid) },
      Status: { select: { name: 'Requested' } },
    });
    server = await startTestServer({ kind, env: notion.env() });
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid, attendee: { name: 'Jamie Rivera', email: 'jamie.rivera@example.com' } }))).status).toBe(200);
    await waitFor('the booking synced', async () => Object.values(await syncedStates()).includes('synced'));

    expect(notion.sessionsWithUid(uid, true).map((p) => p.id)).toEqual([page.id]);
    const updated = notion.emulator.state.page(page.id)!;
    expect(updated.plain.Status).toBe('Scheduled');
    expect(updated.plain.Client).toEqual([client.id]);
    expect(notion.clients()).toHaveLength(1);
    // A booking with no earlier page is created without a look-up.
    const fresh = makeBookingUid();
    notion.emulator.clearRequests();
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid: fresh, attendee: { name: 'Jamie Rivera', email: 'jamie.rivera@example.com' } }))).status).toBe(200);
    await waitFor('the second page', () => notion!.sessionsWithUid(fresh).length === 1);
    expect(notion.emulator.requests.map((r) => `${r.method} ${r.path.split('/').slice(0, 3).join('/')}`)).toEqual(['POST /v1/pages']);
  });

  it('two records of one booking, each with a page: the merged one is kept, the duplicate is trashed', async () => {
    notion = await startNotionWorkspace();
    server = await startTestServer({ kind, env: notion.env() });
    const before = makeBookingUid();
    const after = makeBookingUid();
    // Cal.com's reschedule link arrives last: first both bookings look unrelated.
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid: before }))).status).toBe(200);
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid: after, startTime: '2031-12-01T10:00:00Z' }))).status).toBe(200);
    await waitFor('both synced', async () => {
      const states = Object.values(await syncedStates());
      return states.length === 2 && states.every((s) => s === 'synced');
    });
    const [pageBefore] = notion.sessionsWithUid(before);
    const [pageAfter] = notion.sessionsWithUid(after);

    expect((await server.sendWebhook(calcomBody('BOOKING_RESCHEDULED', { uid: after, rescheduleUid: before, startTime: '2031-12-01T10:00:00Z' }))).status).toBe(200);
    await waitFor('the duplicate retired and the survivor synced', async () => {
      const states = Object.values(await syncedStates()).sort();
      return states.join() === 'retired,synced';
    });
    const survivors = [pageBefore!, pageAfter!].map((p) => notion!.emulator.state.page(p.id)!);
    expect(survivors.filter((p) => !p.inTrash)).toHaveLength(1);
    const kept = survivors.find((p) => !p.inTrash)!;
    expect(kept.plain).toMatchObject({ 'Booking UID': after, Status: 'Rescheduled' });
    expect(notion.sessions()).toHaveLength(1);
  });
});
