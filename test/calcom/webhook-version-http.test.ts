// X-Cal-Webhook-Version through the real server on both stores: each event records the version it came
// with (absent header = 2021-10-20), GET /api/events/:id shows it, both versions are accepted, and the large
// .ics strings of 2026-07-27 live only in the raw body: not in the normalised event, the appointment or
// anywhere else in the store.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTestServer } from '../support/server.js';
import { storeCounts } from '../support/store-peek.js';
import { STORE_KINDS } from '../support/stores.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/calcom/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const ICS_MARK = 'BEGIN:VCALENDAR';

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe.each(STORE_KINDS)('webhook versions (%s)', (kind) => {
  const server = useTestServer({ kind });

  async function eventDetail(id: number): Promise<Record<string, any>> {
    const res = await server.api(`/api/events/${id}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, any>;
  }

  it('records 2026-07-27, keeps the .ics text only in the raw body, and shows the version on the event', async () => {
    const body = fixture('booking_created.v2026-07-27');
    const res = await server.sendWebhook(body, { headers: { 'x-cal-webhook-version': '2026-07-27' } });
    expect(res.status).toBe(200);
    const reply = (await res.json()) as { event_id: number; appointment_id: number; action: string };
    expect(reply.action).toBe('created');

    const detail = await eventDetail(reply.event_id);
    expect(detail.webhook_version).toBe('2026-07-27');
    expect(occurrences(detail.raw_body as string, ICS_MARK)).toBe(2);
    expect(JSON.stringify(detail.event)).not.toContain(ICS_MARK);

    // Nowhere else in the store: one copy each, in the raw body of the one event row.
    const db = server.app.store.db;
    const rows = await db.selectFrom('events').selectAll().execute();
    const stored = rows.map((r) => JSON.stringify({ ...r, raw_body: undefined })).join('\n');
    expect(stored).not.toContain(ICS_MARK);
    expect(rows.reduce((n, r) => n + occurrences(r.raw_body, ICS_MARK), 0)).toBe(2);
    const appointments = await db.selectFrom('appointments').selectAll().execute();
    expect(JSON.stringify(appointments)).not.toContain(ICS_MARK);
    const view = await server.api(`/api/appointments/${reply.appointment_id}`);
    expect(await view.text()).not.toContain(ICS_MARK);
  });

  it('accepts every 2026-07-27 trigger that carries invitations', async () => {
    for (const name of ['booking_rescheduled', 'booking_cancelled', 'booking_paid']) {
      const res = await server.sendWebhook(fixture(`${name}.v2026-07-27`), { headers: { 'x-cal-webhook-version': '2026-07-27' } });
      expect(res.status, name).toBe(200);
      const reply = (await res.json()) as { event_id: number };
      expect((await eventDetail(reply.event_id)).webhook_version).toBe('2026-07-27');
    }
  });

  it('takes a delivery without the header as 2021-10-20, and one that says so as such', async () => {
    const body = fixture('booking_requested');
    const res = await server.sendWebhook(body);
    expect(res.status).toBe(200);
    const { event_id } = (await res.json()) as { event_id: number };
    expect((await eventDetail(event_id)).webhook_version).toBe('2021-10-20');

    const rejected = fixture('booking_rejected');
    const res2 = await server.sendWebhook(rejected, { headers: { 'x-cal-webhook-version': '2021-10-20' } });
    expect(res2.status).toBe(200);
    expect((await eventDetail(((await res2.json()) as { event_id: number }).event_id)).webhook_version).toBe('2021-10-20');
  });

  it('refuses a malformed version with 422 and stores nothing', async () => {
    const before = await storeCounts(server.app.store.db);
    const body = fixture('booking_no_show_updated');
    const res = await server.sendWebhook(body, { headers: { 'x-cal-webhook-version': "2026-07-27'; drop table events; --" } });
    expect(res.status).toBe(422);
    const reply = (await res.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(reply.error.code).toBe('validation_error');
    expect(reply.error.details.issues[0]?.path).toBe('headers.x-cal-webhook-version');
    // The refusal is recorded in the background after the answer (src/intake/rejection-log.ts): wait for it.
    let after = await storeCounts(server.app.store.db);
    for (const deadline = Date.now() + 5_000; after.rejectedDeliveries === before.rejectedDeliveries && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 20));
      after = await storeCounts(server.app.store.db);
    }
    // Only the refusal itself is logged (code and trigger, no body), as for every signed delivery refused.
    expect(after).toEqual({ ...before, rejectedDeliveries: before.rejectedDeliveries + 1 });
  });

  it('a replay keeps the version of the delivery it replays', async () => {
    const rows = await server.app.store.db.selectFrom('events').select(['id', 'webhook_version']).where('webhook_version', '=', '2026-07-27').execute();
    const original = rows[0]!;
    const res = await server.api(`/api/events/${original.id}/replay`, { method: 'POST' });
    expect(res.status).toBe(200);
    const { event_id } = (await res.json()) as { event_id: number };
    expect((await eventDetail(event_id)).webhook_version).toBe('2026-07-27');
  });
});
