// `calsync notion init --parent PAGE_ID`: creates the Clients and Sessions databases with the default schema
// (or the names NOTION_PROPERTY_NAMES maps) under a page shared with the integration, and prints the
// environment lines to paste. Reads NOTION_TOKEN and NOTION_API_URL from the environment.
import { APIResponseError, type Client } from '@notionhq/client';
import pino from 'pino';
import { ConfigError, parseNotionId } from '../config.js';
import { createNotionClient } from '../sinks/notion/client.js';
import { NOTION_PROPERTY_NAMES_VARIABLE, parsePropertyNames } from '../sinks/notion/property-names.js';
import { clientsSchemaRequest, sessionsSchemaRequest } from '../sinks/notion/schema.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

const USAGE = [
  'usage: calsync notion init --parent PAGE_ID [--clients-title TITLE] [--sessions-title TITLE]',
  '',
  'Creates the Clients and Sessions databases under the Notion page PAGE_ID (its id, or its URL; share the',
  'page with your integration first) and prints the NOTION_*_DATABASE_ID lines to put in your environment.',
  'Needs NOTION_TOKEN; honours NOTION_API_URL and NOTION_PROPERTY_NAMES.',
];

const DEFAULT_API_URL = 'https://api.notion.com';
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

interface InitArgs {
  parent: string;
  clientsTitle: string;
  sessionsTitle: string;
}

function parseArgs(argv: readonly string[]): InitArgs | { help: true } | { error: string } {
  const args: Partial<InitArgs> = {};
  const rest = argv[0] === 'init' ? argv.slice(1) : [...argv];
  for (let i = 0; i < rest.length; i += 1) {
    const flag = rest[i] as string;
    if (flag === '--help' || flag === '-h') return { help: true };
    const [name, inline] = flag.includes('=') ? (flag.split(/=(.*)/s, 2) as [string, string]) : [flag, undefined];
    const value = inline ?? rest[++i];
    if (value === undefined || value.startsWith('--')) return { error: `${name} needs a value` };
    if (name === '--parent') args.parent = value;
    else if (name === '--clients-title') args.clientsTitle = value;
    else if (name === '--sessions-title') args.sessionsTitle = value;
    else return { error: `unknown option ${name}` };
  }
  if (!args.parent) return { error: '--parent PAGE_ID is required' };
  return { parent: args.parent, clientsTitle: args.clientsTitle ?? 'Clients', sessionsTitle: args.sessionsTitle ?? 'Sessions' };
}

export async function runNotionInit(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if ('help' in args) {
    for (const line of USAGE) io.out(line);
    return EXIT_OK;
  }
  if ('error' in args) {
    io.err(`calsync notion init: ${args.error}`);
    io.err(USAGE[0] as string);
    return EXIT_USAGE;
  }
  const parentId = parseNotionId(args.parent);
  if (!parentId) {
    io.err(`calsync notion init: --parent must be a Notion page id or URL, got "${args.parent}"`);
    return EXIT_USAGE;
  }
  const token = io.env.NOTION_TOKEN?.trim();
  if (!token) {
    io.err('calsync notion init: NOTION_TOKEN is not set (create an internal integration at https://www.notion.so/my-integrations)');
    return EXIT_USAGE;
  }
  let names;
  try {
    names = parsePropertyNames(io.env[NOTION_PROPERTY_NAMES_VARIABLE]);
  } catch (err) {
    io.err(`calsync notion init: ${err instanceof ConfigError ? err.message : String(err)}`);
    return EXIT_USAGE;
  }
  const apiUrl = (io.env.NOTION_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, '');
  const client = createNotionClient({ token, apiUrl, log: pino({ level: 'silent' }) });

  try {
    const clients = await createDatabase(client, parentId, args.clientsTitle, clientsSchemaRequest(names));
    const sessions = await createDatabase(client, parentId, args.sessionsTitle, sessionsSchemaRequest(names, clients.dataSourceId));
    io.out(`Created the ${args.clientsTitle} and ${args.sessionsTitle} databases. Put these lines in your environment (or .env):`);
    io.out('');
    io.out(`NOTION_CLIENTS_DATABASE_ID=${clients.databaseId}`);
    io.out(`NOTION_SESSIONS_DATABASE_ID=${sessions.databaseId}`);
    return EXIT_OK;
  } catch (err) {
    const why = APIResponseError.isAPIResponseError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    io.err(`calsync notion init: Notion refused to create the databases (${why})`);
    if (APIResponseError.isAPIResponseError(err) && (err.code === 'object_not_found' || err.code === 'restricted_resource')) {
      io.err('Share the parent page with your integration (page menu → Connections) and try again.');
    }
    return EXIT_FAILED;
  }
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
