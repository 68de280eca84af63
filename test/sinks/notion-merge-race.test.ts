// The merge race of issue 15: booking A rescheduled to B, B then cancelled, delivered as B's cancellation,
// then A's creation, then the reschedule, with Notion answering slowly. calsync builds two appointments and
// merges them when the reschedule arrives; if A's Sessions page is still being created at that moment, the
// create must still be carried by the merge, so the page it makes is trashed and the booking ends with
// exactly one live Sessions page (B's, Cancelled). Before the fix the merge dropped A's sync row and A's
// page stayed live for ever.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { countSinkRowsByState } from '../../src/store/queries/sink-work.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { calcomBody, waitFor, type NotionWorkspace, startNotionWorkspace } from './support/notion.js';

/** Slow enough that the reschedule lands while A's create is still waiting for Notion's answer. */
const NOTION_LATENCY_MS = 1_500;
const SETTLE_TIMEOUT_MS = 20_000;

describe.each(STORE_KINDS)('a merge while a Sessions page is being created (%s)', (kind) => {
  let notion: NotionWorkspace;
  let server: TestServer;

  beforeAll(async () => {
    notion = await startNotionWorkspace();
    server = await startTestServer({ kind, env: notion.env() });
    // Slow from here on (the start-up check ran at full speed).
    notion.emulator.setLatency(NOTION_LATENCY_MS);
  });

  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
    await notion?.close();
  });

  async function send(body: Record<string, unknown>): Promise<void> {
    const res = await server.sendWebhook(body);
    expect(res.status, await res.clone().text()).toBe(200);
  }

  /** A create of a Sessions page for `uid` that Notion has received and not answered yet. */
  function createInFlight(uid: string): boolean {
    return notion.emulator.requests.some((r) => r.method === 'POST' && r.path === '/v1/pages' && r.status === 0 && JSON.stringify(r.body).includes(uid));
  }

  it('carries the in-flight create with the merge: one live Sessions page at the end', async () => {
    const a = makeBookingUid();
    const b = makeBookingUid();
    const attendee = { name: 'Grace Hopper', email: 'grace@navy.example.com' };
    const start = '2031-04-01T09:00:00.000Z';
    const end = '2031-04-01T09:30:00.000Z';
    const movedStart = '2031-04-02T10:00:00.000Z';
    const movedEnd = '2031-04-02T10:30:00.000Z';

    await send(calcomBody('BOOKING_CANCELLED', { uid: b, attendee, startTime: movedStart, endTime: movedEnd, cancellationReason: 'Changed plans' }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await send(calcomBody('BOOKING_CREATED', { uid: a, attendee, startTime: start, endTime: end }));
    // The moment of the race, made certain rather than hoped for: A's page is on its way to Notion.
    await waitFor(`the create of ${a}'s Sessions page to be in flight`, () => createInFlight(a), { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 20 });
    await send(calcomBody('BOOKING_RESCHEDULED', { uid: b, rescheduleUid: a, attendee, startTime: movedStart, endTime: movedEnd, rescheduleReason: 'Clash' }));

    const livePages = () => [...notion.sessionsWithUid(a), ...notion.sessionsWithUid(b)];
    await waitFor(
      'the mirror to settle with one live Sessions page for the booking',
      async () => {
        const states = await countSinkRowsByState(server.app.store.db, 'notion');
        const unsettled = Object.keys(states).filter((s) => s !== 'synced' && s !== 'retired');
        return unsettled.length === 0 && livePages().length === 1;
      },
      { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 100 },
    );
    const [page] = livePages();
    expect(page?.plain).toMatchObject({ 'Booking UID': b, Status: 'Cancelled' });
    // A's page was made, and is in the trash rather than live.
    const trashedA = notion.sessionsWithUid(a, true).filter((p) => p.id !== page?.id);
    expect(trashedA.length).toBe(1);

    const res = await server.api(`/api/appointments?calcom_uid=${b}`);
    const [appointment] = ((await res.json()) as { appointments: { sync: { notion: { state: string; page_id: string } } }[] }).appointments;
    expect(appointment?.sync.notion).toMatchObject({ state: 'synced', page_id: page?.id });
  });
});
