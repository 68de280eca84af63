// `calsync notion init --parent PAGE_ID`: creates the Clients and Sessions databases with the default schema
// (or the names NOTION_PROPERTY_NAMES maps) under a page shared with the integration, and prints the
// environment lines to paste. Reads NOTION_TOKEN and NOTION_API_URL from the environment.
//
// Running it again must not leave a second pair behind: the parent page's child databases are listed first,
// and a Clients + Sessions pair with the titles asked for is reused. Anything in between (one of the two, or
// several with one title) is refused with what to do; --force creates a new pair regardless.
import { APIResponseError, isNotionClientError, type Client } from '@notionhq/client';
import pino from 'pino';
import { ConfigError, parseNotionId } from '../config.js';
import { createNotionClient } from '../sinks/notion/client.js';
import { NOTION_PROPERTY_NAMES_VARIABLE, parsePropertyNames } from '../sinks/notion/property-names.js';
import { clientsSchemaRequest, sessionsSchemaRequest } from '../sinks/notion/schema.js';
import { parseCommandArgs } from './args.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.js';
import { printUsageError } from './usage.js';

export const NOTION_INIT_HELP = `Usage: calsync notion init --parent PAGE_ID [options]

Creates the Clients and Sessions databases under the Notion page PAGE_ID (its
id, or its URL; share the page with your integration first) and prints the
lines to put in your environment (or .env): NOTION_TOKEN,
NOTION_CLIENTS_DATABASE_ID, NOTION_SESSIONS_DATABASE_ID (and NOTION_API_URL
when it is not the default). Needs NOTION_TOKEN; honours NOTION_API_URL and
NOTION_PROPERTY_NAMES.

Running it again reuses the two databases it created under that page.

Options:
  --parent PAGE_ID         the Notion page to create them under (required)
  --clients-title TITLE    default Clients
  --sessions-title TITLE   default Sessions
  --force                  create a new pair even if databases with these
                           titles already exist under the page
  -h, --help               this help

Exit status: 0 when the databases exist, 1 when Notion refused or could not be
reached, 2 for wrong arguments.`;

const COMMAND = 'notion init';
export const DEFAULT_NOTION_API_URL = 'https://api.notion.com';
/** One call to Notion, network included; a dead address must not keep the command waiting. */
const NOTION_INIT_REQUEST_TIMEOUT_MS = 30_000;
/** A parent page with more children than this is not searched further (100 per page). */
const MAX_CHILD_PAGES = 20;
const MAX_TITLE_CHARS = 200;

type InitIo = Pick<CliIo, 'out' | 'err' | 'env'>;

interface Pair {
  clients: { databaseId: string; dataSourceId: string };
  sessions: { databaseId: string; dataSourceId: string };
}

class Refusal extends Error {}

export async function runNotionInit(argv: string[], io: InitIo): Promise<number> {
  try {
    return await init(argv[0] === 'init' ? argv.slice(1) : argv, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printUsageError(io, COMMAND, err.message, NOTION_INIT_HELP);
    return EXIT_USAGE;
  }
}

async function init(argv: string[], io: InitIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(COMMAND, argv, {
    parent: { type: 'string' },
    'clients-title': { type: 'string' },
    'sessions-title': { type: 'string' },
    force: { type: 'boolean' },
  });
  if (values.help) {
    io.out(NOTION_INIT_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]!.slice(0, 80)}"`, COMMAND);
  if (!values.parent) throw new UsageError('--parent PAGE_ID is required', COMMAND);
  const parentId = parseNotionId(values.parent);
  if (!parentId) throw new UsageError(`--parent must be a Notion page id or URL, got "${values.parent.slice(0, 200)}"`, COMMAND);
  const clientsTitle = title(values['clients-title'] ?? 'Clients', '--clients-title');
  const sessionsTitle = title(values['sessions-title'] ?? 'Sessions', '--sessions-title');
  const token = io.env.NOTION_TOKEN?.trim();
  if (!token) {
    throw new UsageError('NOTION_TOKEN is not set (create an internal integration at https://www.notion.so/my-integrations)', COMMAND);
  }
  let names;
  try {
    names = parsePropertyNames(io.env[NOTION_PROPERTY_NAMES_VARIABLE]);
  } catch (err) {
    throw new UsageError(err instanceof ConfigError ? err.message : String(err), COMMAND);
  }
  const apiUrl = (io.env.NOTION_API_URL?.trim() || DEFAULT_NOTION_API_URL).replace(/\/+$/, '');
  const client = createNotionClient({
    token,
    apiUrl,
    log: pino({ level: 'silent' }),
    fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(NOTION_INIT_REQUEST_TIMEOUT_MS) }),
  });

  let pair: Pair;
  let reused = false;
  try {
    const existing = values.force ? null : await existingPair(client, parentId, clientsTitle, sessionsTitle);
    if (existing) {
      pair = existing;
      reused = true;
    } else {
      const clients = await createDatabase(client, parentId, clientsTitle, clientsSchemaRequest(names));
      const sessions = await createDatabase(client, parentId, sessionsTitle, sessionsSchemaRequest(names, clients.dataSourceId));
      pair = { clients, sessions };
    }
  } catch (err) {
    if (err instanceof Refusal) {
      io.err(`calsync notion init: ${err.message}`);
      return EXIT_FAILED;
    }
    return reportNotionFailure(io, err, apiUrl);
  }
  io.out(
    reused
      ? `Found the ${clientsTitle} and ${sessionsTitle} databases under that page and reused them (--force creates new ones). Put these lines in your environment (or .env):`
      : `Created the ${clientsTitle} and ${sessionsTitle} databases. Put these lines in your environment (or .env):`,
  );
  io.out('');
  io.out(`NOTION_TOKEN=${token}`);
  io.out(`NOTION_CLIENTS_DATABASE_ID=${pair.clients.databaseId}`);
  io.out(`NOTION_SESSIONS_DATABASE_ID=${pair.sessions.databaseId}`);
  if (apiUrl !== DEFAULT_NOTION_API_URL) io.out(`NOTION_API_URL=${apiUrl}`);
  return EXIT_OK;
}

function title(raw: string, flag: string): string {
  const t = raw.trim();
  if (t === '' || t.length > MAX_TITLE_CHARS) throw new UsageError(`${flag} must be 1 to ${MAX_TITLE_CHARS} characters`, COMMAND);
  return t;
}

/** An HTTP answer from Notion is a refusal; anything else never reached it (or got no answer). */
function reportNotionFailure(io: InitIo, err: unknown, apiUrl: string): number {
  if (APIResponseError.isAPIResponseError(err)) {
    io.err(`calsync notion init: Notion refused to create the databases (${err.code}: ${err.message})`);
    if (err.code === 'object_not_found' || err.code === 'restricted_resource') {
      io.err('Share the parent page with your integration (page menu → Connections) and try again.');
    }
    return EXIT_FAILED;
  }
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string; name?: string } };
  const timedOut = e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' || e?.code === 'notionhq_client_request_timeout';
  const reason = timedOut
    ? `no answer within ${NOTION_INIT_REQUEST_TIMEOUT_MS / 1000} s`
    : isNotionClientError(err) && e.code === 'notionhq_client_response_error'
      ? `an answer that is not Notion's: ${e.message ?? ''}`
      : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err));
  io.err(`calsync notion init: cannot reach Notion at ${apiUrl} (${String(reason).slice(0, 300)}); nothing was created`);
  io.err('Check the network (and NOTION_API_URL, if set) and try again.');
  return EXIT_FAILED;
}

/** The pair to reuse, null when there is none, or a Refusal when what is there is ambiguous. */
async function existingPair(client: Client, parentId: string, clientsTitle: string, sessionsTitle: string): Promise<Pair | null> {
  const databases = await childDatabases(client, parentId);
  const clients = databases.filter((d) => d.title === clientsTitle);
  const sessions = databases.filter((d) => d.title === sessionsTitle);
  if (clients.length === 0 && sessions.length === 0) return null;
  if (clients.length !== 1 || sessions.length !== 1) {
    const found = `${clients.length} "${clientsTitle}" and ${sessions.length} "${sessionsTitle}" database(s)`;
    throw new Refusal(
      `found ${found} under that page, so there is no single pair to reuse. Delete or rename the extra ones in Notion, ` +
        'choose other titles (--clients-title, --sessions-title), or pass --force to create a new pair anyway.',
    );
  }
  return { clients: await dataSourceOf(client, clients[0]!.id), sessions: await dataSourceOf(client, sessions[0]!.id) };
}

async function childDatabases(client: Client, parentId: string): Promise<{ id: string; title: string }[]> {
  const found: { id: string; title: string }[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_CHILD_PAGES; page += 1) {
    const list = await client.blocks.children.list({ block_id: parentId, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) });
    for (const block of list.results) {
      if ('type' in block && block.type === 'child_database') found.push({ id: block.id, title: block.child_database.title.trim() });
    }
    if (!list.has_more || !list.next_cursor) break;
    cursor = list.next_cursor;
  }
  return found;
}

async function dataSourceOf(client: Client, databaseId: string): Promise<{ databaseId: string; dataSourceId: string }> {
  const db = await client.databases.retrieve({ database_id: databaseId });
  const first = 'data_sources' in db ? db.data_sources[0] : undefined;
  if (!first) throw new Refusal(`database ${databaseId} has no data source to reuse; pass --force to create a new pair`);
  return { databaseId: db.id, dataSourceId: first.id };
}

async function createDatabase(
  client: Client,
  parentPageId: string,
  title: string,
  properties: Record<string, unknown>,
): Promise<{ databaseId: string; dataSourceId: string }> {
  const db = await client.databases.create({
    parent: { type: 'page_id', page_id: parentPageId },
    title: [{ type: 'text', text: { content: title } }],
    initial_data_source: { properties: properties as NonNullable<Parameters<Client['databases']['create']>[0]['initial_data_source']>['properties'] },
  });
  const first = 'data_sources' in db ? db.data_sources[0] : undefined;
  if (!first) throw new Error(`Notion created database ${db.id} without a data source`);
  return { databaseId: db.id, dataSourceId: first.id };
}
