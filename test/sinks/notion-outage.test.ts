// Notion down for a while (a shortened stand-in for a 30 s outage): syncs wait, visibly (state retrying with
// Notion's error), the sink probes with one request at a time on a growing pause instead of hammering, and
// once Notion answers again the mirror converges: every booking with exactly one page.
import { afterEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { calcomBody, sendAllAccepted, startNotionWorkspace, waitAllSynced, waitFor, type NotionWorkspace } from './support/notion.js';

/** A gap between two failed requests that shows the sink waiting rather than retrying at once. */
const BACKED_OFF_GAP_MS = 1_000;

describe.each(STORE_KINDS)('a Notion outage (%s)', (kind) => {
  let notion: NotionWorkspace | undefined;
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    await server?.location.cleanup();
    await notion?.close();
    server = undefined;
    notion = undefined;
  });

  const sendAll = (bodies: Record<string, unknown>[]) => sendAllAccepted(server!, bodies);
  const allSynced = (expected: number, timeoutMs: number) => waitAllSynced(server!, expected, timeoutMs);


  it('an outage: syncs wait (state retrying, with the error) and converge once Notion is back', { timeout: 55_000 }, async () => {
    notion = await startNotionWorkspace();
    server = await startTestServer({ kind, env: { ...notion.env(50), LOG_LEVEL: 'error' } });
    // The sink is up and mirroring when Notion goes down.
    const before = makeBookingUid();
    await sendAll([calcomBody('BOOKING_CREATED', { uid: before })]);
    await allSynced(1, 20_000);
    notion.emulator.setOutage(true);
    const uids = Array.from({ length: 15 }, () => makeBookingUid());
    await sendAll(uids.map((uid, i) => calcomBody('BOOKING_CREATED', { uid, attendee: { name: `P${i}`, email: `p${i}.${uid.toLowerCase()}@example.com` } })));

    // Any of the bookings made during the outage, not one chosen in advance. By design (notion-sink.ts,
    // noteOutage) the first failed syncs pause the whole sink, and after each growing pause (up to 1, 2, 4,
    // 8, 16 s, jittered) only the next request or two go out; a 503 is not re-sent (only 429/529 are), it
    // fails its sync at once. So one given booking's sync may wait its turn, claimed ('syncing'), through
    // several pauses: past 20 s when it is 4th or 5th in line, and the line is the order in which syncs
    // reached the rate limiter, not the order of the bookings (seen on PostgreSQL: uids[0] still 'syncing'
    // while other bookings were already 'retrying').
    type NotionSync = { state: string; last_error: string | null; attempts: number };
    const waiting = await waitFor('a sync to fail on the outage', async () => {
      for (const uid of uids) {
        const res = await server!.api(`/api/appointments?calcom_uid=${uid}`);
        const a = ((await res.json()) as { appointments: { sync: { notion?: NotionSync } }[] }).appointments[0];
        if (a?.sync.notion?.state === 'retrying') return a.sync.notion;
      }
      return undefined;
    });
    expect(waiting.last_error).toContain('service_unavailable');
    expect(waiting.attempts).toBeGreaterThanOrEqual(1);
    // The outage lasts until the sink has backed off twice: after the syncs that were in flight failed
    // together, it probes with single requests, seconds apart, instead of hammering.
    const outageGaps = () => {
      const failed = notion!.emulator.requests.filter((r) => r.fault === 'outage').map((r) => r.at);
      return failed.slice(1).map((at, i) => at - (failed[i] as number));
    };
    await waitFor('the sink to back off between probes', () => outageGaps().filter((g) => g >= BACKED_OFF_GAP_MS).length >= 2, { timeoutMs: 30_000 });
    expect(notion.sessions()).toHaveLength(1); // the one synced before the outage
    notion.emulator.setOutage(false);

    await allSynced(uids.length + 1, 45_000);
    for (const uid of uids) expect(notion.sessionsWithUid(uid, true)).toHaveLength(1);
    expect(notion.clients()).toHaveLength(uids.length + 1);
  });
});
