// From the configured database ids to the data sources the sink writes to (Notion-Version 2025-09-03 and
// later: a database is a container, rows and schema live in its data source), with the schema check. Failures a
// person must fix (bad token, database not shared, properties missing) are ConfigErrors naming the
// variable; anything else (Notion unreachable, 5xx) is thrown as is, for the caller to retry.
import type { Client } from '@notionhq/client';
import { APIErrorCode, APIResponseError } from '@notionhq/client';
import type { Logger } from 'pino';
import { ConfigError, type NotionConfig } from '../../config.js';
import { selectSetting, upsertSetting } from '../../store/queries/settings.js';
import type { Db } from '../../store/store.js';
import type { PropertyNames } from './property-names.js';
import { checkClientsSchema, checkSessionsSchema, describeSchemaProblems, type SchemaProperties } from './schema.js';

export interface NotionTargets {
  clientsDatabaseId: string;
  sessionsDatabaseId: string;
  clientsDataSourceId: string;
  sessionsDataSourceId: string;
}

const CLIENTS_VARIABLE = 'NOTION_CLIENTS_DATABASE_ID';
const SESSIONS_VARIABLE = 'NOTION_SESSIONS_DATABASE_ID';

export function dataSourceSettingKey(databaseId: string): string {
  return `notion.data_source.${databaseId}`;
}

/**
 * Resolves both databases to their data sources and checks their schemas. `known` are data source ids
 * remembered from an earlier start (saves the two database look-ups).
 */
export async function resolveAndCheckTargets(
  client: Client,
  config: NotionConfig,
  names: PropertyNames,
  log: Logger,
  known: { clients: string | null; sessions: string | null } = { clients: null, sessions: null },
): Promise<NotionTargets> {
  const clients = await loadDataSource(client, config.clientsDatabaseId, CLIENTS_VARIABLE, known.clients, log);
  const sessions = await loadDataSource(client, config.sessionsDatabaseId, SESSIONS_VARIABLE, known.sessions, log);
  const clientProblems = checkClientsSchema(clients.properties, names);
  if (clientProblems.length > 0) {
    throw new ConfigError(CLIENTS_VARIABLE, `the Clients database ${config.clientsDatabaseId} does not fit the property mapping: ${describeSchemaProblems(clientProblems)} (fix the database, or map the names with NOTION_PROPERTY_NAMES)`);
  }
  const sessionProblems = checkSessionsSchema(sessions.properties, names, clients.id);
  if (sessionProblems.length > 0) {
    throw new ConfigError(SESSIONS_VARIABLE, `the Sessions database ${config.sessionsDatabaseId} does not fit the property mapping: ${describeSchemaProblems(sessionProblems)} (fix the database, or map the names with NOTION_PROPERTY_NAMES)`);
  }
  return {
    clientsDatabaseId: config.clientsDatabaseId,
    sessionsDatabaseId: config.sessionsDatabaseId,
    clientsDataSourceId: clients.id,
    sessionsDataSourceId: sessions.id,
  };
}

interface LoadedDataSource {
  id: string;
  properties: SchemaProperties;
}

async function loadDataSource(client: Client, databaseId: string, variable: string, knownId: string | null, log: Logger): Promise<LoadedDataSource> {
  if (knownId !== null) {
    try {
      const ds = await client.dataSources.retrieve({ data_source_id: knownId });
      return { id: ds.id, properties: ('properties' in ds ? ds.properties : {}) as SchemaProperties };
    } catch (err) {
      // Replaced or deleted since: resolve it again from the database.
      if (!(APIResponseError.isAPIResponseError(err) && err.code === APIErrorCode.ObjectNotFound)) throw setupError(variable, databaseId, err);
    }
  }
  const id = await guarded(variable, databaseId, () => resolveDataSourceId(client, databaseId, variable, log));
  const ds = await guarded(variable, databaseId, () => client.dataSources.retrieve({ data_source_id: id }));
  return { id: ds.id, properties: ('properties' in ds ? ds.properties : {}) as SchemaProperties };
}

async function resolveDataSourceId(client: Client, databaseId: string, variable: string, log: Logger): Promise<string> {
  const db = await client.databases.retrieve({ database_id: databaseId });
  const sources = 'data_sources' in db ? db.data_sources : [];
  const first = sources[0];
  if (!first) throw new ConfigError(variable, `database ${databaseId} has no data source`);
  if (sources.length > 1) log.warn({ database_id: databaseId, data_source_id: first.id, count: sources.length }, 'the Notion database has several data sources; using the first');
  return first.id;
}

async function guarded<T>(variable: string, databaseId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw setupError(variable, databaseId, err);
  }
}

/** The answers a person must act on become a ConfigError naming the variable; others are returned as they are. */
function setupError(variable: string, databaseId: string, err: unknown): unknown {
  if (!APIResponseError.isAPIResponseError(err)) return err;
  switch (err.code) {
    case APIErrorCode.Unauthorized:
      return new ConfigError('NOTION_TOKEN', `Notion refused the token (${err.code}: ${err.message})`);
    case APIErrorCode.RestrictedResource:
    case APIErrorCode.ObjectNotFound:
      return new ConfigError(variable, `Notion cannot open database ${databaseId}: share it with the integration (${err.code}: ${err.message})`);
    case APIErrorCode.ValidationError:
    case APIErrorCode.InvalidRequestURL:
      return new ConfigError(variable, `Notion refused database ${databaseId} (${err.code}: ${err.message})`);
    default:
      return err;
  }
}

export async function loadKnownTargets(db: Db, config: NotionConfig): Promise<{ clients: string | null; sessions: string | null }> {
  return {
    clients: await selectSetting(db, dataSourceSettingKey(config.clientsDatabaseId)),
    sessions: await selectSetting(db, dataSourceSettingKey(config.sessionsDatabaseId)),
  };
}

export async function saveTargets(db: Db, targets: NotionTargets, at: string): Promise<void> {
  await upsertSetting(db, dataSourceSettingKey(targets.clientsDatabaseId), targets.clientsDataSourceId, at);
  await upsertSetting(db, dataSourceSettingKey(targets.sessionsDatabaseId), targets.sessionsDataSourceId, at);
}
