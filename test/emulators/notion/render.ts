// Stored records to Notion's JSON, per API version. The only place that knows response shapes.
import { minuteIso } from './dates.js';
import { compactId } from './ids.js';
import type { JsonObject } from './json.js';
import { checkboxOf, dateOf, numberOf, optionOf, optionsOf, relationOf, storedValue } from './page-values.js';
import { plainText } from './rich-text.js';
import { propertyMatchesKey, type NotionStore } from './store/state.js';
import type {
  ApiVersion,
  DatabaseRecord,
  DataSourceRecord,
  PageRecord,
  PropertySchema,
  RichTextItem,
} from './store/records.js';

export interface RenderContext {
  store: NotionStore;
  version: ApiVersion;
}

function user(ctx: RenderContext): JsonObject {
  return { object: 'user', id: ctx.store.botUserId };
}

/** `archived` is the pre-2026-03-11 spelling of `in_trash`; older versions return both. */
function trashFields(inTrash: boolean, version: ApiVersion): JsonObject {
  return version === '2026-03-11' ? { in_trash: inTrash } : { archived: inTrash, in_trash: inTrash };
}

function notionUrl(title: string, id: string): string {
  const slug = title.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `https://www.notion.so/${slug === '' ? '' : `${slug}-`}${compactId(id)}`;
}

export function pageTitle(page: PageRecord): string {
  const stored = page.values.get('title');
  return stored !== undefined && stored.type === 'title' ? plainText(stored.value) : '';
}

/** `only`: property names/ids from `filter_properties`, or null for all properties. */
export function renderPage(page: PageRecord, ctx: RenderContext, only: readonly string[] | null = null): JsonObject {
  const ds = ctx.store.dataSource(page.dataSourceId);
  const properties: JsonObject = {};
  for (const prop of ds.properties) {
    if (only !== null && !only.some((k) => propertyMatchesKey(prop, k))) continue;
    properties[prop.name] = renderPropertyValue(prop, page);
  }
  const parent =
    ctx.version === '2022-06-28'
      ? { type: 'database_id', database_id: page.databaseId }
      : { type: 'data_source_id', data_source_id: page.dataSourceId, database_id: page.databaseId };
  return {
    object: 'page',
    id: page.id,
    created_time: minuteIso(page.createdTime),
    last_edited_time: minuteIso(page.lastEditedTime),
    created_by: user(ctx),
    last_edited_by: user(ctx),
    cover: null,
    icon: null,
    parent,
    ...trashFields(page.inTrash, ctx.version),
    is_locked: false,
    properties,
    url: notionUrl(pageTitle(page), page.id),
    public_url: null,
  };
}

export function renderPropertyValue(prop: PropertySchema, page: PageRecord): JsonObject {
  const base = { id: prop.id, type: prop.type };
  switch (prop.type) {
    case 'title':
    case 'rich_text':
      return { ...base, [prop.type]: structuredClone(storedValue(page, prop, prop.type) ?? []) };
    case 'email':
    case 'phone_number':
    case 'url':
      return { ...base, [prop.type]: storedValue(page, prop, prop.type) ?? null };
    case 'number':
      return { ...base, number: numberOf(page, prop) };
    case 'checkbox':
      return { ...base, checkbox: checkboxOf(page, prop) };
    case 'date': {
      const date = dateOf(page, prop);
      return { ...base, date: date === null ? null : { ...date } };
    }
    // Options are echoed as the schema has them now, so renamed options read back renamed.
    case 'select':
    case 'status': {
      const option = optionOf(page, prop);
      return { ...base, [prop.type]: option === null ? null : { ...option } };
    }
    case 'multi_select':
      return { ...base, multi_select: optionsOf(page, prop).map((o) => ({ ...o })) };
    case 'relation':
      return { ...base, relation: relationOf(page, prop).map((id) => ({ id })), has_more: false };
    case 'created_time':
      return { ...base, created_time: minuteIso(page.createdTime) };
    case 'last_edited_time':
      return { ...base, last_edited_time: minuteIso(page.lastEditedTime) };
  }
}

export function renderPropertySchema(prop: PropertySchema, ctx: RenderContext): JsonObject {
  const base = { id: prop.id, name: prop.name, description: prop.description, type: prop.type };
  switch (prop.type) {
    case 'number':
      return { ...base, number: { format: prop.format } };
    case 'select':
    case 'multi_select':
      return { ...base, [prop.type]: { options: prop.options.map((o) => ({ ...o })) } };
    case 'status':
      return {
        ...base,
        status: { options: prop.options.map((o) => ({ ...o })), groups: prop.groups.map((g) => ({ ...g, option_ids: [...g.option_ids] })) },
      };
    case 'relation': {
      const r = prop.relation;
      const kindConfig =
        r.kind === 'single_property'
          ? { type: 'single_property', single_property: {} }
          : { type: 'dual_property', dual_property: { synced_property_name: r.syncedPropertyName ?? '', synced_property_id: '' } };
      const ids = ctx.version === '2022-06-28' ? { database_id: r.databaseId } : { database_id: r.databaseId, data_source_id: r.dataSourceId };
      return { ...base, relation: { ...ids, ...kindConfig } };
    }
    default:
      return { ...base, [prop.type]: {} };
  }
}

function renderSchema(properties: readonly PropertySchema[], ctx: RenderContext): JsonObject {
  const out: JsonObject = {};
  for (const prop of properties) out[prop.name] = renderPropertySchema(prop, ctx);
  return out;
}

function cloneRichText(items: readonly RichTextItem[]): RichTextItem[] {
  return structuredClone([...items]);
}

/** 2025+: a container listing its data sources. 2022: the data source's schema folded in (single source only). */
export function renderDatabase(db: DatabaseRecord, ctx: RenderContext): JsonObject {
  const common = {
    object: 'database',
    id: db.id,
    created_time: minuteIso(db.createdTime),
    last_edited_time: minuteIso(db.lastEditedTime),
    title: cloneRichText(db.title),
    description: [],
    parent: { type: 'page_id', page_id: db.parentPageId },
    is_inline: false,
    ...trashFields(db.inTrash, ctx.version),
    is_locked: false,
    icon: null,
    cover: null,
    url: notionUrl(plainText(db.title), db.id),
    public_url: null,
  };
  if (ctx.version === '2022-06-28') {
    const ds = ctx.store.dataSource(db.dataSourceIds[0] ?? '');
    return { ...common, created_by: user(ctx), last_edited_by: user(ctx), properties: renderSchema(ds.properties, ctx) };
  }
  const dataSources = db.dataSourceIds.map((id) => {
    const ds = ctx.store.dataSource(id);
    return { id: ds.id, name: plainText(ds.title) };
  });
  return { ...common, data_sources: dataSources };
}

export function renderDataSource(ds: DataSourceRecord, ctx: RenderContext): JsonObject {
  const db = ctx.store.database(ds.databaseId);
  return {
    object: 'data_source',
    id: ds.id,
    created_time: minuteIso(ds.createdTime),
    last_edited_time: minuteIso(ds.lastEditedTime),
    created_by: user(ctx),
    last_edited_by: user(ctx),
    title: cloneRichText(ds.title),
    description: [],
    parent: { type: 'database_id', database_id: ds.databaseId },
    database_parent: { type: 'page_id', page_id: db.parentPageId },
    is_inline: false,
    ...trashFields(ds.inTrash, ctx.version),
    icon: null,
    cover: null,
    properties: renderSchema(ds.properties, ctx),
    url: notionUrl(plainText(ds.title), ds.id),
    public_url: null,
  };
}
