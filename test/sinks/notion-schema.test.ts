// Start-up checks the configured databases against the property mapping and refuses to start, with one
// line, naming exactly what is missing or mistyped; the mapping can rename and leave out properties.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { ConfigError } from '../../src/config.js';
import { DEFAULT_PROPERTY_NAMES, parsePropertyNames } from '../../src/sinks/notion/property-names.js';
import { clientsSchemaRequest } from '../../src/sinks/notion/schema.js';
import { startNotionEmulator, type NotionEmulator } from '../emulators/notion/index.js';
import { startTestServer, TEST_API_KEY, TEST_WEBHOOK_SECRET, type TestServer } from '../support/server.js';
import { freshStoreLocation, tempDir, type StoreLocation } from '../support/stores.js';
import { startNotionServer } from './support/app.js';
import { calcomBody, dateOf, startNotionWorkspace, waitFor } from './support/notion.js';

/** A Sessions database someone made by hand: no When, no Status, Organizer as text, an extra column. */
function handMadeSessions(emulator: NotionEmulator, clientsDataSourceId: string) {
  return emulator.state.createDatabase({
    title: 'Sessions',
    properties: {
      Name: { title: {} },
      Client: { relation: { data_source_id: clientsDataSourceId, single_property: {} } },
      'Booking UID': { rich_text: {} },
      'Event Type': { rich_text: {} },
      Organizer: { rich_text: {} },
      Location: { rich_text: {} },
      Notes: { rich_text: {} },
      Reason: { rich_text: {} },
      Mood: { select: {} },
    },
  });
}

function envFor(emulator: NotionEmulator, clientsDatabaseId: string, sessionsDatabaseId: string): Record<string, string> {
  return {
    NOTION_TOKEN: emulator.token,
    NOTION_API_URL: emulator.url,
    NOTION_CLIENTS_DATABASE_ID: clientsDatabaseId,
    NOTION_SESSIONS_DATABASE_ID: sessionsDatabaseId,
  };
}

describe('the start-up schema check', () => {
  let emulator: NotionEmulator | undefined;
  let server: TestServer | undefined;
  const locations: StoreLocation[] = [];

  afterEach(async () => {
    await server?.close();
    await server?.location.cleanup();
    await emulator?.close();
    for (const location of locations.splice(0)) await location.cleanup();
    server = emulator = undefined;
  });

  /** Starts a server that is expected not to start; resolves with what it threw. */
  async function startFailure(env: Record<string, string>): Promise<unknown> {
    const location = await freshStoreLocation('sqlite');
    locations.push(location);
    return startTestServer({ location, env }).then(
      (s) => {
        server = s;
        return null;
      },
      (err: unknown) => err,
    );
  }

  it('refuses to start, naming the missing and mistyped properties', async () => {
    emulator = await startNotionEmulator();
    const clients = emulator.state.createDatabase({ title: 'Clients', properties: clientsSchemaRequest(DEFAULT_PROPERTY_NAMES) });
    const sessions = handMadeSessions(emulator, clients.dataSourceId);
    const failure = await startFailure(envFor(emulator, clients.databaseId, sessions.databaseId));
    expect(failure).toBeInstanceOf(ConfigError);
    const message = (failure as ConfigError).message;
    expect(message).toMatch(/^NOTION_SESSIONS_DATABASE_ID: /);
    expect(message).toContain('missing "When" (date), "Status" (select)');
    expect(message).toContain('"Organizer" is rich_text, expected email');
    expect(message).not.toContain('Mood');
    expect(message).not.toContain('\n');
  });

  it('names the Clients database too, and a relation to the wrong database', async () => {
    emulator = await startNotionEmulator();
    const clients = emulator.state.createDatabase({ title: 'Clients', properties: { Name: { title: {} }, Phone: { rich_text: {} } } });
    const other = emulator.state.createDatabase({ title: 'Other', properties: { Name: { title: {} } } });
    const sessions = handMadeSessions(emulator, other.dataSourceId);
    const clientsFailure = await startFailure(envFor(emulator, clients.databaseId, sessions.databaseId));
    expect((clientsFailure as Error).message).toMatch(/^NOTION_CLIENTS_DATABASE_ID: .*missing "Email" \(email\); "Phone" is rich_text, expected phone_number/);

    const goodClients = emulator.state.createDatabase({ title: 'Clients', properties: clientsSchemaRequest(DEFAULT_PROPERTY_NAMES) });
    const sessionsFailure = await startFailure(envFor(emulator, goodClients.databaseId, sessions.databaseId));
    expect((sessionsFailure as Error).message).toContain('"Client" relates to another database than Clients');
  });

  it('a database the integration cannot see, or a bad token, is named too', async () => {
    emulator = await startNotionEmulator();
    const clients = emulator.state.createDatabase({ title: 'Clients', properties: clientsSchemaRequest(DEFAULT_PROPERTY_NAMES) });
    const missing = '0f0e0d0c-0b0a-4090-8070-605040302010';
    const notShared = await startFailure(envFor(emulator, clients.databaseId, missing));
    expect((notShared as Error).message).toMatch(/^NOTION_SESSIONS_DATABASE_ID: Notion cannot open database 0f0e0d0c-0b0a-4090-8070-605040302010: share it with the integration/);
    const badToken = await startFailure({ ...envFor(emulator, clients.databaseId, missing), NOTION_TOKEN: 'secret_wrong' });
    expect((badToken as Error).message).toMatch(/^NOTION_TOKEN: Notion refused the token \(unauthorized/);
  });

  it('a restart with a token Notion refuses does not start either (data source ids already known)', async () => {
    const workspace = await startNotionWorkspace();
    try {
      const location = await freshStoreLocation('sqlite');
      locations.push(location);
      const first = await startTestServer({ location, env: workspace.env() });
      await first.close();
      const failure = await startTestServer({ location, env: { ...workspace.env(), NOTION_TOKEN: 'secret_revoked' } }).then(
        (s) => {
          server = s;
          return null;
        },
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as Error).message).toMatch(/^NOTION_TOKEN: Notion refused the token \(unauthorized/);
    } finally {
      await workspace.close();
    }
  });

  it('`npm start` (src/main.ts) exits 1 with one line on stderr', { timeout: 30_000 }, async () => {
    emulator = await startNotionEmulator();
    const clients = emulator.state.createDatabase({ title: 'Clients', properties: clientsSchemaRequest(DEFAULT_PROPERTY_NAMES) });
    const sessions = handMadeSessions(emulator, clients.dataSourceId);
    const dataDir = tempDir();
    locations.push({ kind: 'sqlite', env: {}, dataDir, cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        ...envFor(emulator, clients.databaseId, sessions.databaseId),
        PORT: '0',
        DATA_DIR: dataDir,
        CAL_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        INTERNAL_API_KEY: TEST_API_KEY,
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^calsync: configuration error: NOTION_SESSIONS_DATABASE_ID: .*missing "When" \(date\), "Status" \(select\)/);
  });

  it('NOTION_PROPERTY_NAMES maps the names: a renamed date and a left-out property start fine and sync', async () => {
    const names = parsePropertyNames(JSON.stringify({ sessions: { When: 'Date', Status: 'Stage', Notes: null }, clients: { Name: 'Full name' } }));
    const workspace = await startNotionWorkspace({}, names);
    try {
      expect(workspace.emulator.state.dataSource(workspace.sessionsDataSourceId)?.properties).not.toHaveProperty('Notes');
      server = await startNotionServer({
        kind: 'sqlite',
        env: workspace.env(),
        extras: { env: { NOTION_PROPERTY_NAMES: JSON.stringify({ sessions: { When: 'Date', Status: 'Stage', Notes: null }, clients: { Name: 'Full name' } }) } },
      });
      const uid = makeBookingUid();
      const start = '2031-07-01T15:00:00.000Z';
      expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid, startTime: start, notes: 'not mapped' }))).status).toBe(200);
      const page = await waitFor('the session page', () => workspace.sessionsWithUid(uid)[0]);
      expect(page.plain.Stage).toBe('Scheduled');
      expect(Date.parse(dateOf(page, 'Date')?.start ?? '')).toBe(Date.parse(start));
      const client = await waitFor('the client page', () => workspace.clients()[0]);
      expect(client.plain['Full name']).toBe('Jamie Rivera');
    } finally {
      await server?.close();
      await server?.location.cleanup();
      server = undefined;
      await workspace.close();
    }
  });
});

describe('parsePropertyNames', () => {
  it('keeps the contract defaults when unset', () => {
    expect(parsePropertyNames(undefined)).toEqual(DEFAULT_PROPERTY_NAMES);
    expect(parsePropertyNames('  ')).toEqual(DEFAULT_PROPERTY_NAMES);
  });

  it.each([
    ['not json', 'must be a JSON object'],
    ['{"sessions":{"Whenn":"Date"}}', 'sessions'],
    ['{"sessions":{"When":null}}', 'sessions.When'],
    ['{"clients":{"Email":""}}', 'clients.Email'],
    ['{"sessions":{"Notes":"Reason"}}', '"Reason" is mapped twice'],
    ['{"people":{}}', '(top level)'],
  ])('%s is a ConfigError naming NOTION_PROPERTY_NAMES', (raw, fragment) => {
    let caught: unknown;
    try {
      parsePropertyNames(raw);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toMatch(/^NOTION_PROPERTY_NAMES: /);
    expect((caught as ConfigError).message).toContain(fragment);
  });
});
