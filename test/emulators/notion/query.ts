// Running a data source query: filter, sort, then cursor pagination. The cursor is the id of the first
// page of the next batch, as Notion's next_cursor is, so a cursor survives inserts before it.
import { bodyFailed, trashFlagOf, validationError } from './errors.js';
import { compileFilter } from './filters.js';
import { parseId } from './ids.js';
import type { JsonObject } from './json.js';
import { renderPage, type RenderContext } from './render.js';
import { compileSorts } from './sorts.js';
import type { DataSourceRecord } from './store/records.js';

export const PAGE_SIZE_MAX = 100;

export function runQuery(ds: DataSourceRecord, body: JsonObject, ctx: RenderContext, only: readonly string[] | null): JsonObject {
  const pageSize = body.page_size ?? PAGE_SIZE_MAX;
  if (typeof pageSize !== 'number' || !Number.isInteger(pageSize)) throw bodyFailed('body.page_size', 'an integer', pageSize);
  if (pageSize > PAGE_SIZE_MAX) throw bodyFailed('body.page_size', `≤ \`${PAGE_SIZE_MAX}\``, pageSize);
  if (pageSize < 1) throw bodyFailed('body.page_size', '≥ `1`', pageSize);

  let startIndex = 0;
  const cursor = body.start_cursor;
  const cursorId = cursor === undefined ? null : parseId(cursor);
  if (cursor !== undefined && cursorId === null) throw bodyFailed('body.start_cursor', 'a valid uuid', cursor);

  // in_trash:true adds trashed pages to the results (`archived` is its pre-2026-03-11 alias).
  const trashFlag = trashFlagOf(body, ctx.version) ?? false;
  if (typeof trashFlag !== 'boolean') throw bodyFailed('body.in_trash', 'a boolean', trashFlag);

  const predicate = compileFilter(body.filter, ds);
  const comparator = compileSorts(body.sorts, ds);
  const matching = ctx.store
    .pagesOf(ds.id)
    .filter((p) => (trashFlag || !p.inTrash) && predicate(p));
  if (comparator !== null) matching.sort(comparator);

  if (cursorId !== null) {
    startIndex = matching.findIndex((p) => p.id === cursorId);
    // (unverified) wording for a cursor that no longer points into the result set.
    if (startIndex < 0) throw validationError(`The start_cursor provided is invalid: ${String(cursor)}`);
  }
  const batch = matching.slice(startIndex, startIndex + pageSize);
  const next = matching[startIndex + pageSize];
  const listType = ctx.version === '2022-06-28' ? 'page_or_database' : 'page_or_data_source';
  return {
    object: 'list',
    results: batch.map((p) => renderPage(p, ctx, only)),
    next_cursor: next?.id ?? null,
    has_more: next !== undefined,
    type: listType,
    [listType]: {},
  };
}
