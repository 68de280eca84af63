// A booking's life mirrored into Notion, end to end: signed webhooks into the real server (real store on both
// dialects), the real @notionhq/client against the emulator, and the page's values checked in the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { calcomBody, dateOf, sameInstant, startNotionWorkspace, waitFor, type NotionWorkspace } from './support/notion.js';

interface SyncView {
  state: string;
  page_id: string | null;
  synced_version: number;
  last_error: string | null;
}
interface AppointmentView {
  id: number;
  version: number;
  sync: { notion?: SyncView };
}

describe.each(STORE_KINDS)('Notion mirror of a booking (%s)', (kind) => {
  let notion: NotionWorkspace;
  let server: TestServer;

  beforeAll(async () => {
    notion = await startNotionWorkspace();
    server = await startTestServer({ kind, env: notion.env() });
  });

  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
    await notion?.close();
  });

  async function appointmentOf(uid: string): Promise<AppointmentView | undefined> {
    const res = await server.api(`/api/appointments?calcom_uid=${uid}`);
    const body = (await res.json()) as { appointments: AppointmentView[] };
    return body.appointments[0];
  }

  /** Waits until the appointment's current version is what Notion shows. */
  async function synced(uid: string): Promise<AppointmentView> {
    return waitFor(`Notion to show the current version of ${uid}`, async () => {
      const a = await appointmentOf(uid);
      return a && a.sync.notion?.state === 'synced' && a.sync.notion.synced_version === a.version ? a : undefined;
    });
  }

  async function send(body: Record<string, unknown>): Promise<void> {
    const res = await server.sendWebhook(body);
    expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
  }

  function sessionCreates(uids: string[]): number {
    return notion.emulator.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v1/pages' && r.status === 200 && uids.some((u) => JSON.stringify(r.body).includes(u)),
    ).length;
  }

  it('created → rescheduled → cancelled: one Sessions page with the current values, one Clients page', async () => {
    const first = makeBookingUid();
    const second = makeBookingUid();
    const email = `ada.${first.toLowerCase()}@example.com`;
    const attendee = { name: 'Ada Lovelace', email, phoneNumber: '+44 20 7946 0000' };
    const start = '2031-03-03T09:00:00.000Z';
    const end = '2031-03-03T09:30:00.000Z';

    await send(calcomBody('BOOKING_CREATED', { uid: first, attendee, startTime: start, endTime: end, notes: 'Bring the diagrams', location: 'Studio 2' }));
    const created = await synced(first);
    const pageId = created.sync.notion?.page_id as string;
    let page = notion.emulator.state.page(pageId);
    expect(page?.plain).toMatchObject({
      'Booking UID': first,
      Status: 'Scheduled',
      'Event Type': '30min',
      Organizer: 'dana@studio.example.com',
      Location: 'Studio 2',
      Notes: 'Bring the diagrams',
      Reason: '',
    });
    expect(String(page?.plain.Name)).toContain('Ada Lovelace');
    expect(sameInstant(dateOf(page)?.start, start) && sameInstant(dateOf(page)?.end ?? null, end)).toBe(true);
    const clientPages = notion.clients().filter((c) => c.plain.Email === email);
    expect(clientPages).toHaveLength(1);
    expect(clientPages[0]?.plain).toMatchObject({ Name: 'Ada Lovelace', Phone: '+44 20 7946 0000' });
    expect(page?.plain.Client).toEqual([clientPages[0]?.id]);

    const newStart = '2031-03-05T14:00:00.000Z';
    const newEnd = '2031-03-05T14:30:00.000Z';
    await send(
      calcomBody('BOOKING_RESCHEDULED', { uid: second, rescheduleUid: first, attendee, startTime: newStart, endTime: newEnd, rescheduleReason: 'Train strike' }),
    );
    const moved = await synced(second);
    expect(moved.id).toBe(created.id);
    expect(moved.sync.notion?.page_id).toBe(pageId);
    page = notion.emulator.state.page(pageId);
    expect(page?.plain).toMatchObject({ 'Booking UID': second, Status: 'Rescheduled', Reason: 'Train strike' });
    expect(sameInstant(dateOf(page)?.start, newStart) && sameInstant(dateOf(page)?.end ?? null, newEnd)).toBe(true);

    await send(calcomBody('BOOKING_CANCELLED', { uid: second, attendee, startTime: newStart, endTime: newEnd, cancellationReason: 'Moved abroad' }));
    const cancelled = await synced(second);
    expect(cancelled.sync.notion?.page_id).toBe(pageId);
    page = notion.emulator.state.page(pageId);
    expect(page?.plain).toMatchObject({ 'Booking UID': second, Status: 'Cancelled', Reason: 'Moved abroad' });

    expect([...notion.sessionsWithUid(first), ...notion.sessionsWithUid(second)].map((p) => p.id)).toEqual([pageId]);
    expect(sessionCreates([first, second])).toBe(1);
    expect(notion.clients().filter((c) => c.plain.Email === email)).toHaveLength(1);
  });

  it('requested → accepted → completed → no-show, and requested → rejected with its reason', async () => {
    const uid = makeBookingUid();
    const attendee = { name: 'Grace Hopper', email: `grace.${uid.toLowerCase()}@example.com` };
    await send(calcomBody('BOOKING_REQUESTED', { uid, attendee }));
    let a = await synced(uid);
    const pageId = a.sync.notion?.page_id as string;
    expect(notion.emulator.state.page(pageId)?.plain.Status).toBe('Requested');

    await send(calcomBody('BOOKING_CREATED', { uid, attendee }));
    a = await synced(uid);
    expect(notion.emulator.state.page(pageId)?.plain.Status).toBe('Scheduled');

    await send(calcomBody('MEETING_ENDED', { uid, attendee }));
    a = await synced(uid);
    expect(notion.emulator.state.page(pageId)?.plain.Status).toBe('Completed');

    await send(calcomBody('BOOKING_NO_SHOW_UPDATED', { uid, attendee, noShow: [{ email: attendee.email, noShow: true }] }));
    a = await synced(uid);
    expect(a.sync.notion?.page_id).toBe(pageId);
    expect(notion.emulator.state.page(pageId)?.plain.Status).toBe('No-show');
    expect(notion.sessionsWithUid(uid)).toHaveLength(1);

    const refused = makeBookingUid();
    await send(calcomBody('BOOKING_REQUESTED', { uid: refused, attendee }));
    await send(calcomBody('BOOKING_REJECTED', { uid: refused, attendee, rejectionReason: 'Fully booked that week' }));
    const rejected = await synced(refused);
    expect(notion.emulator.state.page(rejected.sync.notion?.page_id as string)?.plain).toMatchObject({ Status: 'Rejected', Reason: 'Fully booked that week' });
    // Same email, second booking: still one client page.
    expect(notion.clients().filter((c) => c.plain.Email === attendee.email)).toHaveLength(1);
  });

  it('POST /api/notion/notion-handler applies a normalised event and, with ?wait=true, answers once Notion shows it', async () => {
    const uid = `api-${makeBookingUid()}`;
    const email = `  Lin.${uid.toLowerCase()}@Example.com `;
    const event = {
      action: 'created',
      booking: {
        uid,
        title: 'Intro call',
        start_time: '2031-04-01T10:00:00Z',
        end_time: '2031-04-01T10:45:00Z',
        event_type: 'intro',
        organizer: { name: 'Dana', email: 'dana@studio.example.com' },
        attendees: [{ name: 'Lin', email }],
        location: 'Phone',
      },
    };
    const res = await server.api('/api/notion/notion-handler?wait=true', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    const body = (await res.json()) as { status: string; action: string; appointment_id: number; notion: { state: string; page_id: string } };
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: 'processed', action: 'created', notion: { state: 'synced' } });
    const page = notion.emulator.state.page(body.notion.page_id);
    expect(page?.plain).toMatchObject({ Name: 'Intro call', 'Booking UID': uid, Status: 'Scheduled', 'Event Type': 'intro', Location: 'Phone' });
    expect(notion.clients().filter((c) => c.plain.Email === email.trim().toLowerCase())).toHaveLength(1);

    const cancel = await server.api('/api/notion/notion-handler?wait=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'cancelled', booking: { uid }, reason: 'No longer needed' }),
    });
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as { notion: { page_id: string } }).notion.page_id).toBe(body.notion.page_id);
    expect(notion.emulator.state.page(body.notion.page_id)?.plain).toMatchObject({ Status: 'Cancelled', Reason: 'No longer needed' });
  });

  it('notion-handler also takes a Cal.com webhook body, and refuses bad input with 4xx and no change', async () => {
    const uid = makeBookingUid();
    const ok = await server.api('/api/notion/notion-handler?wait=true', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(calcomBody('BOOKING_CREATED', { uid })),
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { notion: { state: string } }).notion.state).toBe('synced');
    expect(notion.sessionsWithUid(uid)).toHaveLength(1);

    const before = notion.sessions().length;
    const noKey = await fetch(`${server.url}/api/notion/notion-handler`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noKey.status).toBe(401);
    const invalid = await server.api('/api/notion/notion-handler', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'rescheduled', booking: { uid: makeBookingUid(), start_time: 'tomorrow' } }),
    });
    expect(invalid.status).toBe(422);
    const error = ((await invalid.json()) as { error: { code: string; details: { issues: { path: string }[] } } }).error;
    expect(error.code).toBe('validation_error');
    expect(error.details.issues.map((i) => i.path).sort()).toEqual(['booking.start_time', 'previous_uid']);
    const unknown = await server.api('/api/notion/notion-handler', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'cancelled', booking: { uid: makeBookingUid() } }),
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('booking_not_found');
    const badJson = await server.api('/api/notion/notion-handler', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"action":' });
    expect(badJson.status).toBe(400);
    expect(notion.sessions().length).toBe(before);
  });
});

describe('POST /api/notion/notion-handler without Notion configured', () => {
  it('answers 503 notion_not_configured', async () => {
    const server = await startTestServer({ kind: 'sqlite' });
    try {
      const res = await server.api('/api/notion/notion-handler', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('notion_not_configured');
    } finally {
      await server.close();
      await server.location.cleanup();
    }
  });
});
