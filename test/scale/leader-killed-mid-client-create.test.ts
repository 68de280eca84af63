// Two instances on one PostgreSQL. The Notion leader is SIGKILLed while its create of a Clients page is on
// the wire (Notion slow to answer it); that create lands after the death. The new leader must not look
// the email up before then, or it finds nothing and makes a second Clients page for the same person.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { makeBookingUid, signCalcomBody } from '../../src/calcom/samples.js';
import { DEFAULT_NOTION_TUNING } from '../../src/sinks/notion/notion-sink.js';
import { calcomBody, startNotionWorkspace, waitFor, type NotionWorkspace } from '../sinks/support/notion.js';
import { freshPostgresUrl, PG_AVAILABLE } from '../support/stores.js';
import { notionLockHolders, startFleet, stopFleet, type Instance } from './support/fleet.js';

const SECRET = 'whsec_scale_client_create_secret';
const API_KEY = 'csk_scale_client_create_api_key';
/** Long enough for a new leader to take over (under a second) before the orphaned create lands. */
const SLOW_CREATE_MS = 3_000;
const TEST_TIMEOUT_MS = 50_000;

describe.skipIf(!PG_AVAILABLE)('the Notion leader dies during a Clients page create', () => {
  let notion: NotionWorkspace | undefined;
  let schema: Awaited<ReturnType<typeof freshPostgresUrl>> | undefined;
  let admin: pg.Client | undefined;
  let fleet: Instance[] = [];

  afterAll(async () => {
    await stopFleet(fleet);
    await admin?.end();
    await schema?.drop();
    await notion?.close();
  });

  it('the create lands after the death; the new leader finds that page and makes no second one', { timeout: TEST_TIMEOUT_MS }, async () => {
    notion = await startNotionWorkspace();
    schema = await freshPostgresUrl();
    admin = new pg.Client({ connectionString: schema.url });
    await admin.connect();
    fleet = await startFleet(2, { CAL_WEBHOOK_SECRET: SECRET, INTERNAL_API_KEY: API_KEY, LOG_LEVEL: 'warn', ...notion.env(20) }, schema.url);
    const run = makeBookingUid().slice(0, 6).toLowerCase();
    const book = async (email: string) => {
      const raw = JSON.stringify(calcomBody('BOOKING_CREATED', { uid: makeBookingUid(), attendee: { name: email, email } }));
      const res = await fetch(`${fleet[0]!.server.url}/webhooks/calcom`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cal-signature-256': signCalcomBody(raw, SECRET) },
        body: raw,
      });
      expect(res.status).toBe(200);
    };
    const first = `first.${run}@example.com`;
    const second = `second.${run}@example.com`;

    await book(first);
    await waitFor('the first booking mirrored', () => notion!.sessions().length === 1);
    notion.emulator.setLatency(SLOW_CREATE_MS);
    await book(second);
    const slowCreate = await waitFor(
      "the second client's page create on the wire",
      () => notion!.emulator.requests.find((r) => r.method === 'POST' && r.path === '/v1/pages' && r.status === 0 && JSON.stringify(r.body).includes(second)),
      { timeoutMs: 3 * SLOW_CREATE_MS + 5_000, intervalMs: 10 },
    );
    notion.emulator.setLatency(0);
    const [leader] = await notionLockHolders(admin);
    const victim = fleet.find((i) => i.name === leader);
    expect(victim).toBeDefined();
    victim!.alive = false;
    expect(await victim!.server.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    await waitFor('the orphaned create to land', () => slowCreate.status === 200, { timeoutMs: SLOW_CREATE_MS + 2_000 });
    await waitFor('the second booking mirrored by the new leader', () => notion!.sessions().length === 2, {
      timeoutMs: DEFAULT_NOTION_TUNING.takeoverGraceMs + 15_000,
    });
    expect(await notionLockHolders(admin)).toEqual([fleet.find((i) => i !== victim)!.name]);
    const emails = notion.emulator.pagesIn(notion.clientsDataSourceId, { includeTrashed: true }).map((p) => p.plain.Email);
    expect(emails.sort()).toEqual([first, second]);
    const clientPageOf = (email: string) => notion!.emulator.findPages(notion!.clientsDataSourceId, (p) => p.plain.Email === email)[0]?.id;
    const related = notion.sessions().map((p) => (p.plain.Client as string[])[0]);
    expect(related.sort(), 'each Sessions page points at its client\'s one page').toEqual([clientPageOf(first), clientPageOf(second)].sort());
  });
});
