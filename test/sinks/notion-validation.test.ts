// Notion refusing an appointment's values (400 validation_error) is a permanent failure of that version:
// the row is `failed` with Notion's own message, visible through the API, and is not retried until a new
// version of the appointment arrives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { calcomBody, startNotionWorkspace, waitFor, type NotionWorkspace } from './support/notion.js';

interface SyncView {
  state: string;
  page_id: string | null;
  last_error: string | null;
  attempts: number;
  next_attempt_at: string | null;
  synced_version: number;
}

describe.each(STORE_KINDS)('a 400 from Notion (%s)', (kind) => {
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

  async function syncOf(uid: string): Promise<{ version: number; sync: SyncView } | undefined> {
    const res = await server.api(`/api/appointments?calcom_uid=${uid}`);
    const a = ((await res.json()) as { appointments: { version: number; sync: { notion?: SyncView } }[] }).appointments[0];
    return a?.sync.notion ? { version: a.version, sync: a.sync.notion } : undefined;
  }

  /** Changes the Sessions schema behind calsync's back, as a person editing the database would. */
  async function patchSessionsSchema(properties: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${notion.emulator.url}/v1/data_sources/${notion.sessionsDataSourceId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${notion.emulator.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: JSON.stringify({ properties }),
    });
    expect(res.status).toBe(200);
  }

  function createAttempts(uid: string): number {
    return notion.emulator.requests.filter((r) => r.method === 'POST' && r.path === '/v1/pages' && JSON.stringify(r.body).includes(uid)).length;
  }

  it('is `failed` with the message, stays failed, and a new version is tried again', async () => {
    const warmUp = makeBookingUid();
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid: warmUp }))).status).toBe(200);
    await waitFor('the first booking to sync', async () => (await syncOf(warmUp))?.sync.state === 'synced');

    await patchSessionsSchema({ Location: null });
    const refused = makeBookingUid();
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid: refused }))).status).toBe(200);
    const failed = await waitFor('the refusal', async () => {
      const s = await syncOf(refused);
      return s?.sync.state === 'failed' ? s.sync : undefined;
    });
    expect(failed.last_error).toBe('validation_error: Location is not a property that exists.');
    expect(failed.attempts).toBe(1);
    expect(failed.next_attempt_at).toBeNull();
    expect(failed.page_id).toBeNull();

    // Notion accepts pages again; another booking syncs, the refused one is left alone.
    await patchSessionsSchema({ Location: { rich_text: {} } });
    const later = makeBookingUid();
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid: later }))).status).toBe(200);
    await waitFor('a later booking to sync', async () => (await syncOf(later))?.sync.state === 'synced');
    expect((await syncOf(refused))?.sync).toMatchObject({ state: 'failed', attempts: 1 });
    expect(createAttempts(refused)).toBe(1);
    expect(notion.sessionsWithUid(refused)).toHaveLength(0);

    // A new version of the refused booking (its time moved) is mirrored.
    expect(
      (await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid: refused, startTime: '2031-09-09T09:00:00Z', endTime: '2031-09-09T10:00:00Z' }))).status,
    ).toBe(200);
    const fixed = await waitFor('the new version to sync', async () => {
      const s = await syncOf(refused);
      return s?.sync.state === 'synced' && s.sync.synced_version === s.version ? s.sync : undefined;
    });
    expect(fixed.last_error).toBeNull();
    expect(notion.sessionsWithUid(refused).map((p) => p.id)).toEqual([fixed.page_id]);
  });
});
