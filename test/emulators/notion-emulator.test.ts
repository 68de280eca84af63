// The Notion emulator driven by the real @notionhq/client v5 (Notion-Version 2025-09-03, and 2026-03-11,
// the version calsync speaks, at the end): if the SDK's view of an answer (APIResponseError vs
// UnknownHTTPResponseError, retried or not) differs from what it would be against Notion, calsync's tests
// against the emulator would prove nothing.
import {
  APIResponseError,
  Client,
  UnknownHTTPResponseError,
  collectPaginatedAPI,
  isFullDatabase,
  isFullDataSource,
  isFullPage,
  type PageObjectResponse,
} from '@notionhq/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BLOCK_LIMIT_MESSAGE,
  DEFAULT_RATE_LIMIT_REASON,
  WORKSPACE_RATE_LIMIT_REASON,
  startNotionEmulator,
  type NotionEmulator,
  type NotionEmulatorOptions,
} from './notion/index.js';

const SESSION_STATUSES = ['Requested', 'Scheduled', 'Rescheduled', 'Cancelled', 'Rejected', 'Completed', 'No-show'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let emulator: NotionEmulator;

async function start(opts: NotionEmulatorOptions = {}): Promise<NotionEmulator> {
  emulator = await startNotionEmulator(opts);
  return emulator;
}

afterEach(async () => {
  await emulator.close();
});

type RetryOption = { maxRetries?: number; initialRetryDelayMs?: number; maxRetryDelayMs?: number } | false;

function client(opts: { retry?: RetryOption; auth?: string; notionVersion?: string } = {}): Client {
  return new Client({
    auth: opts.auth ?? emulator.token,
    baseUrl: emulator.url,
    retry: opts.retry ?? false,
    notionVersion: opts.notionVersion,
    // Quiet: the SDK warns on every failed request, which these tests provoke on purpose.
    logger: () => undefined,
  });
}

async function apiError(call: Promise<unknown>): Promise<APIResponseError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) throw new Error('expected the call to fail');
  if (!APIResponseError.isAPIResponseError(err)) throw err;
  return err;
}

function text(content: string) {
  return [{ type: 'text' as const, text: { content } }];
}

interface Contract {
  clientsDb: string;
  clientsDs: string;
  sessionsDb: string;
  sessionsDs: string;
}

/** The contract schema, created and discovered the way calsync does it (databases.retrieve → data_sources[0]). */
async function createContract(notion: Client): Promise<Contract> {
  const parent = { type: 'page_id' as const, page_id: emulator.state.createParentPage() };
  const clients = await notion.databases.create({
    parent,
    title: text('Clients'),
    initial_data_source: { properties: { Name: { title: {} }, Email: { email: {} }, Phone: { phone_number: {} } } },
  });
  const clientsDb = await notion.databases.retrieve({ database_id: clients.id });
  if (!isFullDatabase(clientsDb)) throw new Error('partial database');
  const clientsDs = clientsDb.data_sources[0]?.id ?? '';
  const sessions = await notion.databases.create({
    parent,
    title: text('Sessions'),
    initial_data_source: {
      properties: {
        Name: { title: {} },
        Client: { relation: { data_source_id: clientsDs, single_property: {} } },
        When: { date: {} },
        Status: { select: { options: SESSION_STATUSES.map((name) => ({ name })) } },
        'Booking UID': { rich_text: {} },
        'Event Type': { rich_text: {} },
        Organizer: { email: {} },
        Location: { rich_text: {} },
        Notes: { rich_text: {} },
        Reason: { rich_text: {} },
      },
    },
  });
  const sessionsDb = await notion.databases.retrieve({ database_id: sessions.id });
  if (!isFullDatabase(sessionsDb)) throw new Error('partial database');
  return { clientsDb: clients.id, clientsDs, sessionsDb: sessions.id, sessionsDs: sessionsDb.data_sources[0]?.id ?? '' };
}

async function createClient(notion: Client, c: Contract, name: string, email: string): Promise<PageObjectResponse> {
  const page = await notion.pages.create({
    parent: { data_source_id: c.clientsDs },
    properties: { Name: { title: text(name) }, Email: { email }, Phone: { phone_number: '+1 555 0100' } },
  });
  if (!isFullPage(page)) throw new Error('partial page');
  return page;
}

async function createSession(notion: Client, c: Contract, uid: string, clientId: string): Promise<PageObjectResponse> {
  const page = await notion.pages.create({
    parent: { data_source_id: c.sessionsDs },
    properties: {
      Name: { title: text(`Intro call ${uid}`) },
      Client: { relation: [{ id: clientId }] },
      When: { date: { start: '2026-12-01T09:00:00Z', end: '2026-12-01T09:30:00Z' } },
      Status: { select: { name: 'Scheduled' } },
      'Booking UID': { rich_text: text(uid) },
      'Event Type': { rich_text: text('intro') },
      Organizer: { email: 'coach@example.com' },
    },
  });
  if (!isFullPage(page)) throw new Error('partial page');
  return page;
}

function prop(page: PageObjectResponse, name: string) {
  const value = page.properties[name];
  if (value === undefined) throw new Error(`page has no ${name}`);
  return value;
}

describe('schema: databases and data sources (2025-09-03)', () => {
  beforeEach(async () => {
    await start();
  });

  it('creates the contract databases; retrieve lists data sources and no properties', async () => {
    const notion = client();
    const c = await createContract(notion);
    const db = await notion.databases.retrieve({ database_id: c.sessionsDb });
    expect(db).not.toHaveProperty('properties');
    expect(isFullDatabase(db) && db.data_sources).toEqual([{ id: c.sessionsDs, name: 'Sessions' }]);
    expect(c.sessionsDs).toMatch(UUID_RE);
    expect(c.sessionsDs).not.toBe(c.sessionsDb);
    expect(emulator.state.databases().map((d) => d.title)).toEqual(['Clients', 'Sessions']);
  });

  it('returns the data source schema with property ids, the relation target and select options', async () => {
    const notion = client();
    const c = await createContract(notion);
    const ds = await notion.dataSources.retrieve({ data_source_id: c.sessionsDs });
    if (!isFullDataSource(ds)) throw new Error('partial data source');
    expect(ds.object).toBe('data_source');
    expect(ds.parent).toEqual({ type: 'database_id', database_id: c.sessionsDb });
    expect(Object.keys(ds.properties)).toEqual([
      'Name', 'Client', 'When', 'Status', 'Booking UID', 'Event Type', 'Organizer', 'Location', 'Notes', 'Reason',
    ]);
    expect(ds.properties.Name).toMatchObject({ id: 'title', type: 'title', name: 'Name' });
    const ids = Object.values(ds.properties).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const relation = ds.properties.Client;
    expect(relation?.type === 'relation' && relation.relation).toMatchObject({
      data_source_id: c.clientsDs,
      database_id: c.clientsDb,
      type: 'single_property',
    });
    const status = ds.properties.Status;
    expect(status?.type === 'select' && status.select.options.map((o) => o.name)).toEqual(SESSION_STATUSES);
    expect(ds.properties.Organizer?.type).toBe('email');
  });

  it('updates a schema: rename keeps values, null deletes, a new key adds', async () => {
    const notion = client();
    const c = await createContract(notion);
    const alice = await createClient(notion, c, 'Alice', 'alice@example.com');
    const session = await notion.pages.create({
      parent: { data_source_id: c.sessionsDs },
      properties: { Name: { title: text('S') }, Client: { relation: [{ id: alice.id }] }, Notes: { rich_text: text('bring notes') }, Reason: { rich_text: text('r') } },
    });
    await notion.dataSources.update({
      data_source_id: c.sessionsDs,
      properties: { Notes: { name: 'Internal Notes' }, Reason: null, Paid: { checkbox: {} } },
    });
    const page = await notion.pages.retrieve({ page_id: session.id });
    if (!isFullPage(page)) throw new Error('partial page');
    expect(Object.keys(page.properties)).toContain('Internal Notes');
    expect(page.properties).not.toHaveProperty('Reason');
    expect(page.properties).not.toHaveProperty('Notes');
    const notes = prop(page, 'Internal Notes');
    expect(notes.type === 'rich_text' && notes.rich_text[0]?.plain_text).toBe('bring notes');
    expect(prop(page, 'Paid')).toMatchObject({ type: 'checkbox', checkbox: false });
    const err = await apiError(notion.dataSources.update({ data_source_id: c.sessionsDs, properties: { Name: null } }));
    expect(err.code).toBe('validation_error');
  });
});

describe('pages: create, update, query', () => {
  let notion: Client;
  let c: Contract;

  beforeEach(async () => {
    await start();
    notion = client();
    c = await createContract(notion);
  });

  it('returns pages in Notion response format', async () => {
    const alice = await createClient(notion, c, 'Alice Example', 'alice@example.com');
    const session = await createSession(notion, c, 'uid-1', alice.id);
    expect(session).toMatchObject({
      object: 'page',
      parent: { type: 'data_source_id', data_source_id: c.sessionsDs, database_id: c.sessionsDb },
      archived: false,
      in_trash: false,
      is_locked: false,
      cover: null,
      icon: null,
      public_url: null,
    });
    expect(session.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
    expect(alice.url).toBe(`https://www.notion.so/Alice-Example-${alice.id.replace(/-/g, '')}`);
    expect(prop(session, 'Booking UID')).toMatchObject({
      type: 'rich_text',
      rich_text: [
        {
          type: 'text',
          text: { content: 'uid-1', link: null },
          plain_text: 'uid-1',
          href: null,
          annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
        },
      ],
    });
    expect(prop(session, 'Client')).toMatchObject({ type: 'relation', relation: [{ id: alice.id }], has_more: false });
    const when = prop(session, 'When');
    if (when.type !== 'date' || when.date === null) throw new Error('no date');
    expect(Date.parse(when.date.start)).toBe(Date.parse('2026-12-01T09:00:00Z'));
    expect(when.date.time_zone).toBeNull();
    const status = prop(session, 'Status');
    expect(status.type === 'select' && status.select?.name).toBe('Scheduled');
    expect(prop(session, 'Location')).toMatchObject({ type: 'rich_text', rich_text: [] });
    expect(prop(alice, 'Phone')).toMatchObject({ type: 'phone_number', phone_number: '+1 555 0100' });
    expect(emulator.state.page(session.id)?.plain).toMatchObject({ 'Booking UID': 'uid-1', Status: 'Scheduled', Client: [alice.id] });
  });

  it('finds a client by email equals and a session by rich_text equals', async () => {
    const alice = await createClient(notion, c, 'Alice', 'alice@example.com');
    await createClient(notion, c, 'Bob', 'bob@example.com');
    await createSession(notion, c, 'uid-a', alice.id);
    await createSession(notion, c, 'uid-b', alice.id);

    const byEmail = await notion.dataSources.query({
      data_source_id: c.clientsDs,
      filter: { property: 'Email', email: { equals: 'alice@example.com' } },
    });
    expect(byEmail).toMatchObject({ object: 'list', type: 'page_or_data_source', page_or_data_source: {}, has_more: false, next_cursor: null });
    expect(byEmail.results.map((r) => r.id)).toEqual([alice.id]);

    const byUid = await notion.dataSources.query({
      data_source_id: c.sessionsDs,
      filter: { property: 'Booking UID', rich_text: { equals: 'uid-b' } },
    });
    expect(byUid.results).toHaveLength(1);
    const page = byUid.results[0];
    if (page === undefined || !isFullPage(page)) throw new Error('no page');
    expect(prop(page, 'Name')).toMatchObject({ title: [{ plain_text: 'Intro call uid-b' }] });

    const none = await notion.dataSources.query({
      data_source_id: c.clientsDs,
      filter: { property: 'Email', email: { equals: 'ALICE@example.com' } },
    });
    expect(none.results).toHaveLength(0);
  });

  it('combines compound filters, relation contains, date ranges and sorts', async () => {
    const alice = await createClient(notion, c, 'Alice', 'alice@example.com');
    const bob = await createClient(notion, c, 'Bob', 'bob@example.com');
    const early = await createSession(notion, c, 'uid-1', alice.id);
    const late = await notion.pages.create({
      parent: { data_source_id: c.sessionsDs },
      properties: { Client: { relation: [{ id: alice.id }] }, When: { date: { start: '2026-12-03' } }, Status: { select: { name: 'Requested' } } },
    });
    await createSession(notion, c, 'uid-3', bob.id);

    const result = await notion.dataSources.query({
      data_source_id: c.sessionsDs,
      filter: {
        and: [
          { property: 'Client', relation: { contains: alice.id } },
          { or: [{ property: 'Status', select: { equals: 'Requested' } }, { property: 'When', date: { on_or_before: '2026-12-01' } }] },
        ],
      },
      sorts: [{ property: 'When', direction: 'descending' }],
    });
    expect(result.results.map((r) => r.id)).toEqual([late.id, early.id]);

    // The SDK's types stop at two levels too, so the third level goes through a raw request.
    const tooDeep = await apiError(
      notion.request({
        path: `data_sources/${c.sessionsDs}/query`,
        method: 'post',
        body: { filter: { and: [{ or: [{ and: [{ property: 'Status', select: { equals: 'Requested' } }] }] }] } },
      }),
    );
    expect(tooDeep.code).toBe('validation_error');
  });

  it('paginates with page_size, next_cursor and has_more', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await createClient(notion, c, `Client ${i}`, `c${i}@example.com`)).id);

    const first = await notion.dataSources.query({ data_source_id: c.clientsDs, page_size: 2 });
    expect(first.results.map((r) => r.id)).toEqual(ids.slice(0, 2));
    expect(first.has_more).toBe(true);
    expect(first.next_cursor).toBe(ids[2]);
    const all = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: c.clientsDs, page_size: 2 });
    expect(all.map((r) => r.id)).toEqual(ids);

    const tooBig = await apiError(notion.dataSources.query({ data_source_id: c.clientsDs, page_size: 101 }));
    expect(tooBig.message).toBe('body failed validation: body.page_size should be ≤ `100`, instead was `101`.');
  });

  it('updates properties, creates unknown select options, and accepts every parent form', async () => {
    const alice = await createClient(notion, c, 'Alice', 'alice@example.com');
    const session = await createSession(notion, c, 'uid-1', alice.id);
    const updated = await notion.pages.update({
      page_id: session.id,
      properties: { Status: { select: { name: 'Tentative' } }, When: { date: { start: '2026-12-02T10:00:00+01:00' } } },
    });
    if (!isFullPage(updated)) throw new Error('partial page');
    expect(prop(updated, 'Status')).toMatchObject({ select: { name: 'Tentative' } });
    expect(prop(updated, 'Booking UID')).toMatchObject({ rich_text: [{ plain_text: 'uid-1' }] });
    const when = prop(updated, 'When');
    expect(when.type === 'date' && Date.parse(when.date?.start ?? '')).toBe(Date.parse('2026-12-02T09:00:00Z'));
    const schema = emulator.state.dataSource(c.sessionsDs)?.properties.Status;
    expect((schema?.select as { options: { name: string }[] }).options.map((o) => o.name)).toEqual([...SESSION_STATUSES, 'Tentative']);

    const viaDatabase = await notion.pages.create({ parent: { database_id: c.clientsDb }, properties: { Name: { title: text('Db parent') } } });
    const viaTyped = await notion.pages.create({
      parent: { type: 'data_source_id', data_source_id: c.clientsDs.replace(/-/g, '') },
      properties: { Name: { title: text('Typed parent') } },
    });
    expect(emulator.pagesIn(c.clientsDs).map((p) => p.id)).toEqual([alice.id, viaDatabase.id, viaTyped.id]);
    expect(emulator.findPages(c.clientsDs, (p) => p.plain.Name === 'Typed parent').map((p) => p.id)).toEqual([viaTyped.id]);
  });
});

describe('validation errors surface as APIResponseError with Notion messages', () => {
  let notion: Client;
  let c: Contract;

  beforeEach(async () => {
    await start();
    notion = client();
    c = await createContract(notion);
  });

  async function createError(properties: Record<string, unknown>, dataSourceId = c.sessionsDs): Promise<APIResponseError> {
    return apiError(notion.request({ path: 'pages', method: 'post', body: { parent: { data_source_id: dataSourceId }, properties } }));
  }

  it('rejects bad property names, types and limits and writes nothing', async () => {
    const cases: [Record<string, unknown>, string, string?][] = [
      [{ Emale: { email: 'a@b.c' } }, 'Emale is not a property that exists.', c.clientsDs],
      [{ Email: { email: 42 } }, 'Email is expected to be email.', c.clientsDs],
      [{ Email: { rich_text: text('a@b.c') } }, 'Email is expected to be email.', c.clientsDs],
      [{ Email: { email: `${'a'.repeat(195)}@b.com` } }, 'body failed validation: body.properties.Email.email.length should be ≤ `200`, instead was `201`.', c.clientsDs],
      [{ Phone: { phone_number: '1'.repeat(201) } }, 'body failed validation: body.properties.Phone.phone_number.length should be ≤ `200`, instead was `201`.', c.clientsDs],
      [{ When: { date: { start: 'next tuesday' } } }, 'body failed validation: body.properties.When.date.start should be a valid ISO 8601 date string, instead was `"next tuesday"`.'],
      [{ When: { date: { start: '2026-02-30' } } }, 'body failed validation: body.properties.When.date.start should be a valid ISO 8601 date string, instead was `"2026-02-30"`.'],
      [{ Notes: { rich_text: text('x'.repeat(2001)) } }, 'body failed validation: body.properties.Notes.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.'],
      [{ Notes: { rich_text: Array.from({ length: 101 }, () => text('x')[0]) } }, 'body failed validation: body.properties.Notes.rich_text.length should be ≤ `100`, instead was `101`.'],
      [{ Client: { relation: Array.from({ length: 101 }, () => ({ id: crypto.randomUUID() })) } }, 'body failed validation: body.properties.Client.relation.length should be ≤ `100`, instead was `101`.'],
      [{ Client: { relation: [{ id: 'nope' }] } }, 'body failed validation: body.properties.Client.relation[0].id should be a valid uuid, instead was `"nope"`.'],
    ];
    for (const [properties, message, ds] of cases) {
      const err = await createError(properties, ds);
      expect(err).toBeInstanceOf(APIResponseError);
      expect({ status: err.status, code: err.code, message: err.message }).toEqual({ status: 400, code: 'validation_error', message });
    }
    expect(emulator.state.pages()).toHaveLength(0);
  });

  it('requires relation targets to be pages of the related data source', async () => {
    const session = await createSession(notion, c, 'uid-x', (await createClient(notion, c, 'A', 'a@example.com')).id);
    const err = await createError({ Client: { relation: [{ id: session.id }] } });
    expect(err.code).toBe('validation_error');
    expect(err.message).toContain(session.id);
    const unknown = await createError({ Client: { relation: [{ id: crypto.randomUUID() }] } });
    expect(unknown.code).toBe('validation_error');
  });

  it('rejects unknown status options but accepts existing ones', async () => {
    await notion.dataSources.update({ data_source_id: c.sessionsDs, properties: { Stage: { status: {} } } });
    const err = await createError({ Stage: { status: { name: 'Bogus' } } });
    expect(err.code).toBe('validation_error');
    const ok = await notion.pages.create({ parent: { data_source_id: c.sessionsDs }, properties: { Stage: { status: { name: 'In progress' } } } });
    if (!isFullPage(ok)) throw new Error('partial page');
    expect(prop(ok, 'Stage')).toMatchObject({ type: 'status', status: { name: 'In progress', color: 'blue' } });
  });

  it('rejects filters on unknown properties', async () => {
    const err = await apiError(
      notion.dataSources.query({ data_source_id: c.clientsDs, filter: { property: 'Mail', email: { equals: 'a@b.c' } } }),
    );
    expect(err.message).toBe('Could not find property with name or id: Mail');
  });

  it('validates path ids and answers unknown ids with object_not_found', async () => {
    const bad = await apiError(notion.pages.retrieve({ page_id: 'not-a-uuid' }));
    expect(bad.message).toBe('path failed validation: path.page_id should be a valid uuid, instead was `"not-a-uuid"`.');
    const missing = crypto.randomUUID();
    const notFound = await apiError(notion.pages.retrieve({ page_id: missing }));
    expect({ status: notFound.status, code: notFound.code, message: notFound.message }).toEqual({
      status: 404,
      code: 'object_not_found',
      message: `Could not find page with ID: ${missing}. Make sure the relevant pages and databases are shared with your integration.`,
    });
    const noDb = await apiError(notion.databases.retrieve({ database_id: missing.replace(/-/g, '') }));
    expect(noDb.message).toMatch(/^Could not find database with ID: /);
    const compact = await notion.dataSources.retrieve({ data_source_id: c.clientsDs.replace(/-/g, '') });
    expect(compact.id).toBe(c.clientsDs);
  });

  it('refuses to edit or re-trash a trashed page, but restores it', async () => {
    const alice = await createClient(notion, c, 'Alice', 'alice@example.com');
    const trashed = await notion.pages.update({ page_id: alice.id, in_trash: true });
    expect(trashed).toMatchObject({ in_trash: true, archived: true });
    expect((await notion.dataSources.query({ data_source_id: c.clientsDs })).results).toHaveLength(0);
    expect((await notion.pages.retrieve({ page_id: alice.id })) as PageObjectResponse).toMatchObject({ in_trash: true });
    for (const body of [{ properties: { Phone: { phone_number: '1' } } }, { in_trash: true }, { archived: true }]) {
      const err = await apiError(notion.pages.update({ page_id: alice.id, ...body }));
      expect(err.message).toBe("Can't edit block that is archived. You must unarchive the block before editing.");
    }
    await notion.pages.update({ page_id: alice.id, in_trash: false });
    expect((await notion.dataSources.query({ data_source_id: c.clientsDs })).results.map((r) => r.id)).toEqual([alice.id]);
  });
});

describe('protocol errors', () => {
  beforeEach(async () => {
    await start();
  });

  it('answers a wrong or missing token with 401 unauthorized', async () => {
    const err = await apiError(client({ auth: 'secret_wrong' }).users.me({}));
    expect({ status: err.status, code: err.code, message: err.message }).toEqual({ status: 401, code: 'unauthorized', message: 'API token is invalid.' });
    const raw = await fetch(`${emulator.url}/v1/users/me`, { headers: { 'Notion-Version': '2025-09-03' } });
    expect(raw.status).toBe(401);
    expect(await client().users.me({})).toMatchObject({ object: 'user', type: 'bot' });
  });

  it('answers a missing Notion-Version with missing_version, with the request id in header and body', async () => {
    const res = await fetch(`${emulator.url}/v1/users/me`, { headers: { Authorization: `Bearer ${emulator.token}` } });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(400);
    expect(body).toEqual({
      object: 'error',
      status: 400,
      code: 'missing_version',
      message: 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
      request_id: res.headers.get('x-notion-request-id'),
    });
    expect(body.request_id).toMatch(UUID_RE);
  });

  it('answers data source endpoints called with 2022-06-28 as invalid_request_url, and serves the legacy shapes', async () => {
    const { dataSourceId, databaseId } = emulator.state.createDatabase({ title: 'Clients', properties: { Name: { title: {} }, Email: { email: {} } } });
    emulator.state.createPage(dataSourceId, { Name: { title: text('Alice') }, Email: { email: 'alice@example.com' } });
    const legacy = client({ notionVersion: '2022-06-28' });
    const err = await apiError(legacy.dataSources.retrieve({ data_source_id: dataSourceId }));
    expect({ status: err.status, code: err.code, message: err.message }).toEqual({ status: 400, code: 'invalid_request_url', message: 'Invalid request URL.' });
    const db = await legacy.databases.retrieve({ database_id: databaseId });
    expect(db).toHaveProperty('properties.Email.type', 'email');
    const rows = await legacy.request<{ type: string; results: { parent: unknown }[] }>({
      path: `databases/${databaseId}/query`,
      method: 'post',
      body: { filter: { property: 'Email', email: { equals: 'alice@example.com' } } },
    });
    expect(rows.type).toBe('page_or_database');
    expect(rows.results[0]?.parent).toEqual({ type: 'database_id', database_id: databaseId });
    // A second data source breaks old-version callers, as users reported.
    await client().dataSources.create({ parent: { type: 'database_id', database_id: databaseId }, properties: { Title: { title: {} } } });
    const multi = await apiError(legacy.databases.retrieve({ database_id: databaseId }));
    expect(multi.message).toBe('Databases with multiple data sources are not supported in this API version.');
  });

  it('answers bad JSON with invalid_json and unknown routes with invalid_request_url', async () => {
    const headers = { Authorization: `Bearer ${emulator.token}`, 'Notion-Version': '2025-09-03', 'content-type': 'application/json' };
    const badJson = await fetch(`${emulator.url}/v1/pages`, { method: 'POST', headers, body: '{"parent":' });
    expect(await badJson.json()).toMatchObject({ status: 400, code: 'invalid_json', message: 'Error parsing JSON body.' });
    const huge = await fetch(`${emulator.url}/v1/pages`, { method: 'POST', headers, body: JSON.stringify({ pad: 'x'.repeat(600_000) }) });
    expect(await huge.json()).toMatchObject({ status: 400, code: 'validation_error' });
    const unknown = await fetch(`${emulator.url}/v1/nope`, { headers });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'invalid_request_url', message: 'Invalid request URL.' });
    expect(emulator.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/v1/pages', 400],
      ['POST', '/v1/pages', 400],
      ['GET', '/v1/nope', 400],
    ]);
  });
});

describe('rate limiting', () => {
  it("answers 429 with Notion's body and Retry-After, and the SDK's retry then succeeds", async () => {
    await start({ rateLimit: { ratePerSecond: 1, burst: 2 } });
    const headers = { Authorization: `Bearer ${emulator.token}`, 'Notion-Version': '2025-09-03' };
    expect((await fetch(`${emulator.url}/v1/users/me`, { headers })).status).toBe(200);
    expect((await fetch(`${emulator.url}/v1/users/me`, { headers })).status).toBe(200);
    const limited = await fetch(`${emulator.url}/v1/users/me`, { headers });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    const body = (await limited.json()) as Record<string, unknown>;
    expect(body).toEqual({
      object: 'error',
      status: 429,
      code: 'rate_limited',
      message: 'You have been rate limited. Please try again in a few minutes.',
      request_id: limited.headers.get('x-notion-request-id'),
      additional_data: { rate_limit_reason: DEFAULT_RATE_LIMIT_REASON },
    });

    const noRetry = await apiError(client().users.me({}));
    expect(noRetry.code).toBe('rate_limited');
    expect(noRetry.additional_data).toEqual({ rate_limit_reason: DEFAULT_RATE_LIMIT_REASON });

    // A POST is retried on 429 too; the SDK waits the Retry-After second, by which time the bucket refilled.
    const started = Date.now();
    const db = await client({ retry: { maxRetries: 2 } }).databases.create({
      parent: { type: 'page_id', page_id: crypto.randomUUID() },
      title: text('After the limit'),
      initial_data_source: { properties: { Name: { title: {} } } },
    });
    expect(db.id).toMatch(UUID_RE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const creates = emulator.requests.filter((r) => r.method === 'POST' && r.path === '/v1/databases');
    expect(creates.map((r) => r.status)).toEqual([429, 200]);
    expect((creates[1]?.at ?? 0) - (creates[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(emulator.count429).toBe(3);
    expect(emulator.state.databases()).toHaveLength(1);
  });

  it('refills continuously: a client pacing itself under the rate is never limited', async () => {
    await start({ rateLimit: { ratePerSecond: 50, burst: 1 } });
    const notion = client();
    for (let i = 0; i < 5; i += 1) {
      await notion.users.me({});
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(emulator.count429).toBe(0);
    emulator.setRateLimit({ ratePerSecond: 1, burst: 1 });
    await notion.users.me({});
    expect((await apiError(notion.users.me({}))).code).toBe('rate_limited');
    expect(emulator.count429).toBe(1);
  });
});

describe('fault injection', () => {
  let notion: Client;
  let c: Contract;

  beforeEach(async () => {
    await start();
    notion = client();
    c = await createContract(notion);
  });

  it('write_then_504 applies the create while the SDK throws gateway_timeout without retrying', async () => {
    emulator.failNext('write_then_504', { method: 'POST', path: '/v1/pages' });
    const err = await apiError(
      client({ retry: { maxRetries: 2, initialRetryDelayMs: 10 } }).pages.create({
        parent: { data_source_id: c.clientsDs },
        properties: { Name: { title: text('Ghost') }, Email: { email: 'ghost@example.com' } },
      }),
    );
    expect({ status: err.status, code: err.code }).toEqual({ status: 504, code: 'gateway_timeout' });
    expect(emulator.requests.filter((r) => r.path === '/v1/pages')).toHaveLength(1);
    expect(emulator.findPages(c.clientsDs, (p) => p.plain.Email === 'ghost@example.com')).toHaveLength(1);
    const found = await notion.dataSources.query({ data_source_id: c.clientsDs, filter: { property: 'Email', email: { equals: 'ghost@example.com' } } });
    expect(found.results).toHaveLength(1);
  });

  it('502 answers a Cloudflare HTML page, which the SDK raises as UnknownHTTPResponseError and does not retry', async () => {
    emulator.failNext('502');
    const err: unknown = await client({ retry: { maxRetries: 2, initialRetryDelayMs: 10 } })
      .dataSources.retrieve({ data_source_id: c.clientsDs })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownHTTPResponseError);
    if (!(err instanceof UnknownHTTPResponseError)) return;
    expect(err.status).toBe(502);
    expect(err.code).toBe('notionhq_client_response_error');
    expect(err.body).toContain('<center><h1>502 Bad Gateway</h1></center>');
    expect(err.message).toContain('Cloudflare Ray ID');
    expect(err.request_id).toBeUndefined();
    expect(emulator.requests.at(-1)).toMatchObject({ status: 502, fault: '502' });
    expect(emulator.requests.filter((r) => r.path.startsWith('/v1/data_sources/'))).toHaveLength(1);
  });

  it('retries 529 on a POST and 500 on a GET, but neither 500 on a POST nor 409', async () => {
    const retrying = client({ retry: { maxRetries: 2, initialRetryDelayMs: 5, maxRetryDelayMs: 20 } });
    emulator.failNext('529', { method: 'POST' });
    const page = await retrying.pages.create({ parent: { data_source_id: c.clientsDs }, properties: { Name: { title: text('X') } } });
    expect(page.id).toMatch(UUID_RE);
    emulator.failNext('500', { method: 'GET' });
    await retrying.pages.retrieve({ page_id: page.id });
    emulator.failNext('500', { method: 'PATCH' });
    expect((await apiError(retrying.pages.update({ page_id: page.id, in_trash: true }))).code).toBe('internal_server_error');
    emulator.failNext('409');
    expect((await apiError(retrying.pages.update({ page_id: page.id, in_trash: true }))).code).toBe('conflict_error');
    expect(emulator.requests.slice(-6).map((r) => `${r.method} ${r.status}`)).toEqual([
      'POST 529', 'POST 200', 'GET 500', 'GET 200', 'PATCH 500', 'PATCH 409',
    ]);
    expect(emulator.state.page(page.id)?.inTrash).toBe(false);
    expect(emulator.counters.faultsInjected).toBe(4);
  });

  it('outage answers 503 to everything until lifted; GETs are retried, POSTs are not', async () => {
    emulator.setOutage(true);
    const retrying = client({ retry: { maxRetries: 2, initialRetryDelayMs: 5, maxRetryDelayMs: 20 } });
    const post = await apiError(retrying.pages.create({ parent: { data_source_id: c.clientsDs }, properties: {} }));
    expect({ status: post.status, code: post.code }).toEqual({ status: 503, code: 'service_unavailable' });
    const get = await apiError(retrying.dataSources.retrieve({ data_source_id: c.clientsDs }));
    expect(get.code).toBe('service_unavailable');
    const unauthenticated = await apiError(client({ auth: 'wrong' }).users.me({}));
    expect(unauthenticated.code).toBe('service_unavailable');
    expect(emulator.requests.filter((r) => r.fault === 'outage').map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'GET', 'GET']);
    expect(emulator.state.pages()).toHaveLength(0);
    emulator.setOutage(false);
    expect((await retrying.dataSources.retrieve({ data_source_id: c.clientsDs })).id).toBe(c.clientsDs);
  });

  it('random faults follow the seed', async () => {
    const statusesFor = async (seed: number): Promise<number[]> => {
      const e = await startNotionEmulator({ seed, faults: { rate: 0.5, kinds: ['500', '503', '529'] } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 20; i += 1) {
          const res = await fetch(`${e.url}/v1/users/me`, { headers: { Authorization: `Bearer ${e.token}`, 'Notion-Version': '2025-09-03' } });
          await res.arrayBuffer();
          statuses.push(res.status);
        }
        return statuses;
      } finally {
        await e.close();
      }
    };
    const a = await statusesFor(7);
    expect(await statusesFor(7)).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
    expect(a.filter((s) => s !== 200).every((s) => [500, 503, 529].includes(s))).toBe(true);
    expect(await statusesFor(8)).not.toEqual(a);
  });
});

describe('latency, reset and close', () => {
  it('delays answers by the configured latency', async () => {
    await start({ latencyMs: 200 });
    const notion = client();
    let started = Date.now();
    await notion.users.me({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    emulator.setLatency({ min: 20, max: 40 });
    started = Date.now();
    await notion.users.me({});
    expect(Date.now() - started).toBeGreaterThanOrEqual(18);
    emulator.setLatency(0);
    started = Date.now();
    await notion.users.me({});
    expect(Date.now() - started).toBeLessThan(150);
    expect(() => emulator.setLatency({ min: 10, max: 5 })).toThrow(RangeError);
  });

  it('close() cancels pending latency timers and drops sockets without waiting for them', async () => {
    // Spy on the timer globals to see the emulator's own 10 s latency timer being cleared, not just forgotten.
    const realSetTimeout = globalThis.setTimeout;
    const latencyTimers: unknown[] = [];
    const setSpy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const timer = realSetTimeout(fn, ms);
      if (ms === 10_000) latencyTimers.push(timer);
      return timer;
    }) as typeof setTimeout);
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout');
    try {
      await start({ latencyMs: 10_000 });
      const headers = { Authorization: `Bearer ${emulator.token}`, 'Notion-Version': '2025-09-03' };
      const pending = fetch(`${emulator.url}/v1/users/me`, { headers });
      await new Promise((r) => realSetTimeout(r, 50));
      const started = Date.now();
      await emulator.close();
      expect(Date.now() - started).toBeLessThan(1000);
      await expect(pending).rejects.toThrow();
      expect(latencyTimers).toHaveLength(1);
      expect(clearSpy).toHaveBeenCalledWith(latencyTimers[0]);
      expect(emulator.requests[0]?.status).toBe(0);
      await expect(fetch(`${emulator.url}/v1/users/me`, { headers })).rejects.toThrow();
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });

  it('reset() empties the workspace, the log and the runtime controls', async () => {
    await start();
    const { dataSourceId } = emulator.state.createDatabase({ properties: { Name: { title: {} } } });
    emulator.state.createPage(dataSourceId, { Name: { title: text('A') } });
    emulator.setOutage(true);
    await fetch(`${emulator.url}/v1/users/me`);
    emulator.reset();
    expect(emulator.state.pages()).toHaveLength(0);
    expect(emulator.state.databases()).toHaveLength(0);
    expect(emulator.requests).toHaveLength(0);
    expect((await client().users.me({})).object).toBe('user');
  });
});

describe('Notion-Version 2026-03-11', () => {
  let notion: Client;
  let c: Contract;

  beforeEach(async () => {
    await start();
    notion = client({ notionVersion: '2026-03-11' });
    c = await createContract(notion);
  });

  it('answers in_trash and never archived, on pages, databases and data sources', async () => {
    const alice = await createClient(notion, c, 'Alice', 'alice@example.com');
    expect(alice.in_trash).toBe(false);
    expect('archived' in alice).toBe(false);
    const trashed = await notion.pages.update({ page_id: alice.id, in_trash: true });
    expect(trashed).toMatchObject({ in_trash: true });
    expect('archived' in trashed).toBe(false);
    const db = await notion.databases.retrieve({ database_id: c.clientsDb });
    expect(db).toMatchObject({ in_trash: false });
    expect('archived' in db).toBe(false);
    const ds = await notion.dataSources.retrieve({ data_source_id: c.clientsDs });
    expect(ds).toMatchObject({ in_trash: false });
    expect('archived' in ds).toBe(false);
    const listed = await notion.dataSources.query({ data_source_id: c.clientsDs, in_trash: true });
    expect(listed.results.map((r) => r.id)).toEqual([alice.id]);
    expect(listed.results.every((r) => !('archived' in r))).toBe(true);
    // The same workspace read with 2025-09-03 still carries both spellings.
    const old = (await client({ notionVersion: '2025-09-03' }).pages.retrieve({ page_id: alice.id })) as PageObjectResponse;
    expect(old).toMatchObject({ in_trash: true, archived: true });
  });

  it('refuses archived in a request with a 400 validation_error and changes nothing', async () => {
    const alice = await createClient(notion, c, 'Alice', 'alice@example.com');
    const refused = [
      notion.pages.update({ page_id: alice.id, archived: true }),
      // The SDK's databases.update no longer knows `archived`; send it raw, as an older integration would.
      notion.request({ path: `databases/${c.clientsDb}`, method: 'patch', body: { archived: true } }),
      notion.dataSources.update({ data_source_id: c.clientsDs, archived: true } as Parameters<Client['dataSources']['update']>[0]),
      notion.dataSources.query({ data_source_id: c.clientsDs, archived: true } as Parameters<Client['dataSources']['query']>[0]),
    ];
    for (const call of refused) {
      const err = await apiError(call);
      expect({ status: err.status, code: err.code }).toEqual({ status: 400, code: 'validation_error' });
      expect(err.message).toMatch(/archived is not supported in API version 2026-03-11; use body\.in_trash instead\.$/);
    }
    expect(emulator.state.page(alice.id)?.inTrash).toBe(false);
    expect(emulator.state.databases().every((d) => !d.inTrash)).toBe(true);
    // 2025-09-03 still takes the old name.
    await client({ notionVersion: '2025-09-03' }).pages.update({ page_id: alice.id, archived: true });
    expect(emulator.state.page(alice.id)?.inTrash).toBe(true);
  });
});

describe('2026 limits: 429 reasons, 529 and the block cap', () => {
  it('a 429 fault carries its rate_limit_reason and Retry-After; a 529 carries Retry-After when given', async () => {
    await start();
    emulator.failNext('429', { rateLimitReason: WORKSPACE_RATE_LIMIT_REASON, retryAfterSeconds: 90 });
    const limited = await apiError(client().users.me({}));
    expect({ status: limited.status, code: limited.code, additional_data: limited.additional_data }).toEqual({
      status: 429,
      code: 'rate_limited',
      additional_data: { rate_limit_reason: WORKSPACE_RATE_LIMIT_REASON },
    });
    expect((limited.headers as Headers).get('retry-after')).toBe('90');

    emulator.failNext('529', { retryAfterSeconds: 2 });
    const overloaded = await apiError(client().users.me({}));
    expect({ status: overloaded.status, code: overloaded.code }).toEqual({ status: 529, code: 'service_overload' });
    expect((overloaded.headers as Headers).get('retry-after')).toBe('2');
    emulator.failNext('529');
    expect(((await apiError(client().users.me({}))).headers as Headers).get('retry-after')).toBeNull();
    expect(emulator.requests.map((r) => r.fault)).toEqual(['429', '529', '529']);
  });

  it('the block cap refuses page creates but not reads or edits', async () => {
    await start();
    const notion = client({ notionVersion: '2026-03-11' });
    const c = await createContract(notion);
    const alice = await createClient(notion, c, 'Alice', 'alice@example.com');
    emulator.setBlockLimit(1);
    const refused = await apiError(createClient(notion, c, 'Bob', 'bob@example.com'));
    expect({ status: refused.status, code: refused.code, message: refused.message }).toEqual({
      status: 400,
      code: 'validation_error',
      message: BLOCK_LIMIT_MESSAGE,
    });
    await notion.pages.update({ page_id: alice.id, properties: { Phone: { phone_number: '+1 555' } } });
    expect((await notion.dataSources.query({ data_source_id: c.clientsDs })).results).toHaveLength(1);
    // Trashing does not give capacity back.
    await notion.pages.update({ page_id: alice.id, in_trash: true });
    expect((await apiError(createClient(notion, c, 'Bob', 'bob@example.com'))).message).toBe(BLOCK_LIMIT_MESSAGE);
    emulator.failNext('block_limit');
    emulator.setBlockLimit(null);
    expect((await apiError(createClient(notion, c, 'Bob', 'bob@example.com'))).message).toBe(BLOCK_LIMIT_MESSAGE);
    expect((await createClient(notion, c, 'Bob', 'bob@example.com')).id).toMatch(UUID_RE);
  });
});
