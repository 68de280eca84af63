// /v1/databases: create (both version shapes), retrieve, update, and the 2022-06-28 query.
import { MULTIPLE_DATA_SOURCES_MESSAGE, bodyFailed, trashFlagOf, validationError } from '../errors.js';
import { newId, parseId } from '../ids.js';
import { isRecord } from '../json.js';
import { runQuery } from '../query.js';
import { renderDatabase } from '../render.js';
import { parseRichText } from '../rich-text.js';
import { buildSchema } from '../schema.js';
import type { DatabaseRecord, DataSourceRecord, RichTextItem } from '../store/records.js';
import { filterProperties, param, type Handler, type HandlerContext } from './context.js';

/** Used when a 2025 create names no initial_data_source properties (emulator default, unverified). */
const DEFAULT_PROPERTIES = { Name: { title: {} } };

export function parseTitle(raw: unknown, path: string): RichTextItem[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw bodyFailed(path, 'an array', raw);
  return parseRichText(raw, path);
}

export const createDatabase: Handler = (ctx) => {
  const parent = ctx.body.parent;
  if (!isRecord(parent)) throw bodyFailed('body.parent', 'an object', parent);
  if (parent.type !== undefined && parent.type !== 'page_id') {
    throw bodyFailed('body.parent.page_id', 'defined', parent.page_id);
  }
  // Any well-formed UUID is accepted as the parent page (pages outside databases are not modelled).
  const parentPageId = parseId(parent.page_id);
  if (parentPageId === null) {
    throw bodyFailed('body.parent.page_id', parent.page_id === undefined ? 'defined' : 'a valid uuid', parent.page_id);
  }
  const title = parseTitle(ctx.body.title, 'body.title');
  let properties: PropertyInput;
  if (ctx.version === '2022-06-28') {
    properties = { raw: ctx.body.properties, path: 'body.properties' };
  } else {
    const initial = ctx.body.initial_data_source;
    if (initial !== undefined && !isRecord(initial)) throw bodyFailed('body.initial_data_source', 'an object', initial);
    properties = { raw: initial?.properties ?? DEFAULT_PROPERTIES, path: 'body.initial_data_source.properties' };
  }
  const schema = buildSchema(properties.raw, properties.path, ctx);
  const now = ctx.store.now();
  const db: DatabaseRecord = {
    id: newId(),
    title,
    parentPageId,
    inTrash: false,
    createdTime: now,
    lastEditedTime: now,
    dataSourceIds: [],
  };
  const ds: DataSourceRecord = {
    id: newId(),
    databaseId: db.id,
    title: structuredClone(title),
    properties: schema,
    inTrash: false,
    createdTime: now,
    lastEditedTime: now,
  };
  ctx.store.insertDatabase(db);
  ctx.store.insertDataSource(ds);
  return renderDatabase(db, ctx);
};

interface PropertyInput {
  raw: unknown;
  path: string;
}

/** Old-version calls see a database as one table, so a second data source makes them fail (docs §1). */
function legacySingleSource(db: DatabaseRecord, ctx: HandlerContext): DataSourceRecord {
  const only = db.dataSourceIds.length === 1 ? db.dataSourceIds[0] : undefined;
  if (only === undefined) throw validationError(MULTIPLE_DATA_SOURCES_MESSAGE);
  return ctx.store.dataSource(only);
}

export const retrieveDatabase: Handler = (ctx) => {
  const db = ctx.store.database(param(ctx, 'database_id'));
  if (ctx.version === '2022-06-28') legacySingleSource(db, ctx);
  return renderDatabase(db, ctx);
};

export const updateDatabase: Handler = (ctx) => {
  const db = ctx.store.database(param(ctx, 'database_id'));
  const title = ctx.body.title === undefined ? undefined : parseTitle(ctx.body.title, 'body.title');
  const trash = trashFlagOf(ctx.body, ctx.version);
  if (trash !== undefined && typeof trash !== 'boolean') throw bodyFailed('body.in_trash', 'a boolean', trash);
  if (title !== undefined) db.title = title;
  if (trash !== undefined) db.inTrash = trash;
  db.lastEditedTime = ctx.store.now();
  return renderDatabase(db, ctx);
};

/** POST /v1/databases/:id/query, the 2022-06-28 endpoint removed from SDK v5. */
export const queryDatabaseLegacy: Handler = (ctx) => {
  const db = ctx.store.database(param(ctx, 'database_id'));
  const ds = legacySingleSource(db, ctx);
  return runQuery(ds, ctx.body, ctx, filterProperties(ctx.query));
};
