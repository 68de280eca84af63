// /v1/pages: rows of a data source. Pages whose parent is another page are not modelled.
import {
  ARCHIVED_EDIT_MESSAGE,
  MULTIPLE_DATA_SOURCES_MESSAGE,
  bodyFailed,
  bodyFailedFixOne,
  trashFlagOf,
  unsupported,
  validationError,
} from '../errors.js';
import { newId, parseId } from '../ids.js';
import { isRecord } from '../json.js';
import { renderPage } from '../render.js';
import type { DataSourceRecord, PageRecord } from '../store/records.js';
import { commitPendingOptions, parsePropertyValues } from '../validate.js';
import { filterProperties, param, type Handler, type HandlerContext } from './context.js';

function resolveParent(raw: unknown, ctx: HandlerContext): DataSourceRecord {
  const alternatives =
    ctx.version === '2022-06-28'
      ? ['body.parent.page_id', 'body.parent.database_id']
      : ['body.parent.page_id', 'body.parent.database_id', 'body.parent.data_source_id'];
  if (!isRecord(raw)) throw bodyFailedFixOne(alternatives, undefined);
  if (raw.data_source_id !== undefined && ctx.version !== '2022-06-28') {
    const id = parseId(raw.data_source_id);
    if (id === null) throw bodyFailed('body.parent.data_source_id', 'a valid uuid', raw.data_source_id);
    return ctx.store.dataSource(id);
  }
  if (raw.database_id !== undefined) {
    const id = parseId(raw.database_id);
    if (id === null) throw bodyFailed('body.parent.database_id', 'a valid uuid', raw.database_id);
    const db = ctx.store.database(id);
    const only = db.dataSourceIds.length === 1 ? db.dataSourceIds[0] : undefined;
    if (only === undefined) throw validationError(MULTIPLE_DATA_SOURCES_MESSAGE);
    return ctx.store.dataSource(only);
  }
  if (raw.page_id !== undefined) throw unsupported('a page whose parent is a page (only data source rows are emulated)');
  throw bodyFailedFixOne(alternatives, undefined);
}

export const createPage: Handler = (ctx) => {
  const ds = resolveParent(ctx.body.parent, ctx);
  const parsed = parsePropertyValues(ds, ctx.body.properties, 'body.properties', ctx);
  commitPendingOptions(ds, parsed.pendingOptions);
  const now = ctx.store.now();
  const page: PageRecord = {
    id: newId(),
    dataSourceId: ds.id,
    databaseId: ds.databaseId,
    values: parsed.values,
    inTrash: false,
    createdTime: now,
    lastEditedTime: now,
  };
  ctx.store.insertPage(page);
  return renderPage(page, ctx, filterProperties(ctx.query));
};

/** Trashed pages are still readable, with in_trash: true. */
export const retrievePage: Handler = (ctx) => renderPage(ctx.store.page(param(ctx, 'page_id')), ctx, filterProperties(ctx.query));

export const updatePage: Handler = (ctx) => {
  const page = ctx.store.page(param(ctx, 'page_id'));
  const trash = trashFlagOf(ctx.body, ctx.version);
  if (trash !== undefined && typeof trash !== 'boolean') throw bodyFailed('body.in_trash', 'a boolean', trash);
  // A trashed page accepts only being restored; editing or trashing it again is an error (docs §5).
  if (page.inTrash && trash !== false) throw validationError(ARCHIVED_EDIT_MESSAGE);
  const ds = ctx.store.dataSource(page.dataSourceId);
  const parsed = parsePropertyValues(ds, ctx.body.properties, 'body.properties', ctx);
  commitPendingOptions(ds, parsed.pendingOptions);
  for (const [id, value] of parsed.values) page.values.set(id, value);
  if (trash !== undefined) page.inTrash = trash;
  page.lastEditedTime = ctx.store.now();
  return renderPage(page, ctx, filterProperties(ctx.query));
};
