// /v1/data_sources (2025-09-03+): create, retrieve, update schema, query.
import { bodyFailed, trashFlagOf } from '../errors.js';
import { newId, parseId } from '../ids.js';
import { isRecord } from '../json.js';
import { runQuery } from '../query.js';
import { renderDataSource } from '../render.js';
import { applySchemaUpdate, buildSchema } from '../schema.js';
import type { DataSourceRecord } from '../store/records.js';
import { filterProperties, param, type Handler } from './context.js';
import { parseTitle } from './databases.js';

export const createDataSource: Handler = (ctx) => {
  const parent = ctx.body.parent;
  if (!isRecord(parent)) throw bodyFailed('body.parent', 'an object', parent);
  const databaseId = parseId(parent.database_id);
  if (databaseId === null) {
    throw bodyFailed('body.parent.database_id', parent.database_id === undefined ? 'defined' : 'a valid uuid', parent.database_id);
  }
  const db = ctx.store.database(databaseId);
  const properties = buildSchema(ctx.body.properties, 'body.properties', ctx);
  const now = ctx.store.now();
  const ds: DataSourceRecord = {
    id: newId(),
    databaseId: db.id,
    title: parseTitle(ctx.body.title, 'body.title'),
    properties,
    inTrash: false,
    createdTime: now,
    lastEditedTime: now,
  };
  ctx.store.insertDataSource(ds);
  db.lastEditedTime = now;
  return renderDataSource(ds, ctx);
};

export const retrieveDataSource: Handler = (ctx) => renderDataSource(ctx.store.dataSource(param(ctx, 'data_source_id')), ctx);

export const updateDataSource: Handler = (ctx) => {
  const ds = ctx.store.dataSource(param(ctx, 'data_source_id'));
  const properties = ctx.body.properties === undefined ? undefined : applySchemaUpdate(ds.properties, ctx.body.properties, 'body.properties', ctx);
  const title = ctx.body.title === undefined ? undefined : parseTitle(ctx.body.title, 'body.title');
  const trash = trashFlagOf(ctx.body, ctx.version);
  if (trash !== undefined && typeof trash !== 'boolean') throw bodyFailed('body.in_trash', 'a boolean', trash);
  // Everything validated: apply in one go.
  if (properties !== undefined) ds.properties = properties;
  if (title !== undefined) ds.title = title;
  if (trash !== undefined) ds.inTrash = trash;
  ds.lastEditedTime = ctx.store.now();
  return renderDataSource(ds, ctx);
};

export const queryDataSource: Handler = (ctx) => {
  const ds = ctx.store.dataSource(param(ctx, 'data_source_id'));
  return runQuery(ds, ctx.body, ctx, filterProperties(ctx.query));
};
