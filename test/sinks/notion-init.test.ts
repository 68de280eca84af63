// `calsync notion init --parent PAGE_ID` with the real client against the emulator: it creates both
// databases, prints the lines to paste, and those databases pass the start-up check and mirror a booking.
import { afterEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { runNotionInit } from '../../src/cli/notion-init.js';
import { SESSION_STATUSES } from '../../src/sinks/notion/schema.js';
import { startNotionEmulator, type NotionEmulator } from '../emulators/notion/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { calcomBody, waitFor } from './support/notion.js';

function io(env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l), env } };
}

describe('calsync notion init', () => {
  let emulator: NotionEmulator | undefined;
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    await server?.location.cleanup();
    await emulator?.close();
    server = emulator = undefined;
  });

  it('creates Clients and Sessions with the default schema and prints the ids; calsync starts on them', async () => {
    emulator = await startNotionEmulator();
    const parent = emulator.state.createParentPage();
    const run = io({ NOTION_TOKEN: emulator.token, NOTION_API_URL: emulator.url });
    // A page URL works as well as an id.
    const code = await runNotionInit(['init', '--parent', `https://www.notion.so/Workspace-${parent.replace(/-/g, '')}`], run.io);
    expect(run.err).toEqual([]);
    expect(code).toBe(0);
    const env = envLines(run.out);
    // What the README promises: the token and both ids, plus the API URL because it is not the default.
    expect(Object.keys(env)).toEqual(['NOTION_TOKEN', 'NOTION_CLIENTS_DATABASE_ID', 'NOTION_SESSIONS_DATABASE_ID', 'NOTION_API_URL']);
    expect(env.NOTION_TOKEN).toBe(emulator.token);
    expect(env.NOTION_API_URL).toBe(emulator.url.replace(/\/+$/, ''));

    const databases = emulator.state.databases();
    expect(databases.map((d) => [d.title, d.parentPageId])).toEqual([
      ['Clients', parent],
      ['Sessions', parent],
    ]);
    const sessions = emulator.state.dataSource(databases[1]!.dataSourceIds[0]!)!;
    const types = Object.fromEntries(Object.entries(sessions.properties).map(([name, p]) => [name, p.type]));
    expect(types).toEqual({
      Name: 'title',
      Client: 'relation',
      When: 'date',
      Status: 'select',
      'Booking UID': 'rich_text',
      'Event Type': 'rich_text',
      Organizer: 'email',
      Location: 'rich_text',
      Notes: 'rich_text',
      Reason: 'rich_text',
    });
    const options = (sessions.properties.Status as { select: { options: { name: string }[] } }).select.options.map((o) => o.name);
    expect(options).toEqual([...SESSION_STATUSES]);
    const clients = emulator.state.dataSource(databases[0]!.dataSourceIds[0]!)!;
    expect(Object.fromEntries(Object.entries(clients.properties).map(([n, p]) => [n, p.type]))).toEqual({ Name: 'title', Email: 'email', Phone: 'phone_number' });

    server = await startTestServer({ kind: 'sqlite', env: { ...env, NOTION_TOKEN: emulator.token, NOTION_API_URL: emulator.url } });
    const uid = makeBookingUid();
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid }))).status).toBe(200);
    await waitFor('the page', () => emulator!.pagesIn(sessions.id).find((p) => p.plain['Booking UID'] === uid));
  });

  it.each([
    [[], {}, 2, '--parent PAGE_ID is required'],
    [['--parent'], {}, 2, '--parent needs a value'],
    [['--parent', 'not-an-id'], { NOTION_TOKEN: 'x' }, 2, 'must be a Notion page id or URL'],
    [['--parent', '0f0e0d0c0b0a40908070605040302010'], {}, 2, 'NOTION_TOKEN is not set'],
    [['--parent', '0f0e0d0c0b0a40908070605040302010', '--colour', 'red'], {}, 2, 'unknown option --colour'],
  ])('%j refuses with exit %i before calling Notion', async (argv, env, expected, message) => {
    const run = io(env);
    expect(await runNotionInit(['init', ...argv], run.io)).toBe(expected);
    expect(run.err[0]).toContain(message);
    expect(run.out).toEqual([]);
  });

  it('says what Notion refused (a bad token) and exits 1', async () => {
    emulator = await startNotionEmulator();
    const run = io({ NOTION_TOKEN: 'secret_wrong', NOTION_API_URL: emulator.url });
    expect(await runNotionInit(['init', '--parent', emulator.state.createParentPage()], run.io)).toBe(1);
    expect(run.err[0]).toBe('calsync notion init: Notion refused to create the databases (unauthorized: API token is invalid.)');
    expect(emulator.state.databases()).toHaveLength(0);
  });

  it('--help prints the usage', async () => {
    const run = io({});
    expect(await runNotionInit(['init', '--help'], run.io)).toBe(0);
    expect(run.out[0]).toMatch(/^Usage: calsync notion init --parent PAGE_ID/);
    expect(run.out.join('\n')).toMatch(/\nOptions:\n/);
  });
});

function envLines(out: string[]): Record<string, string> {
  return Object.fromEntries(out.filter((l) => /^NOTION_\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}
