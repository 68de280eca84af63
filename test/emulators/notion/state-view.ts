// EmulatorState: snapshots of the store for assertions, and seeding through the real handlers.
import type { HandlerContext } from './handlers/context.js';
import { createDatabase } from './handlers/databases.js';
import { createPage } from './handlers/pages.js';
import { newId, parseId } from './ids.js';
import { isRecord, type JsonObject } from './json.js';
import { checkboxOf, dateOf, numberOf, optionOf, optionsOf, relationOf, storedValue, textOf } from './page-values.js';
import type { Random } from './prng.js';
import { renderDataSource, renderPropertyValue, type RenderContext } from './render.js';
import { plainText } from './rich-text.js';
import type { NotionStore } from './store/state.js';
import type { DataSourceRecord, PageRecord, PropertySchema } from './store/records.js';
import type { DataSourceSnapshot, EmulatedPage, EmulatorState, PageQueryOptions, PlainValue } from './types.js';

const SEED_VERSION = '2025-09-03';

export function createStateView(store: NotionStore, idRandom: () => Random): EmulatorState {
  const render: RenderContext = { store, version: SEED_VERSION };
  const handlerCtx = (body: JsonObject): HandlerContext => ({
    version: SEED_VERSION,
    params: {},
    body,
    query: new URLSearchParams(),
    store,
    random: idRandom(),
  });
  const visible = (opts: PageQueryOptions | undefined) => (p: PageRecord) => opts?.includeTrashed === true || !p.inTrash;
  const dsSnapshot = (ds: DataSourceRecord): DataSourceSnapshot => ({
    id: ds.id,
    databaseId: ds.databaseId,
    title: plainText(ds.title),
    inTrash: ds.inTrash,
    properties: renderDataSource(ds, render).properties as Record<string, JsonObject>,
  });
  const pagesIn = (dataSourceId: string, opts?: PageQueryOptions): EmulatedPage[] => {
    const id = parseId(dataSourceId) ?? dataSourceId;
    return store.pagesOf(id).filter(visible(opts)).map((p) => snapshotPage(p, store));
  };

  return {
    databases: () =>
      [...store.databases.values()].map((db) => ({
        id: db.id,
        title: plainText(db.title),
        parentPageId: db.parentPageId,
        inTrash: db.inTrash,
        dataSourceIds: [...db.dataSourceIds],
      })),
    dataSources: () => [...store.dataSources.values()].map(dsSnapshot),
    dataSource: (id) => {
      const ds = store.dataSources.get(parseId(id) ?? id);
      return ds === undefined ? undefined : dsSnapshot(ds);
    },
    pages: (opts) => [...store.pages.values()].filter(visible(opts)).map((p) => snapshotPage(p, store)),
    page: (id) => {
      const page = store.pages.get(parseId(id) ?? id);
      return page === undefined ? undefined : snapshotPage(page, store);
    },
    pagesIn,
    findPages: (dataSourceId, predicate, opts) => pagesIn(dataSourceId, opts).filter(predicate),
    createParentPage: () => {
      const id = newId();
      store.parentPages.add(id);
      return id;
    },
    createDatabase: (input) => {
      const parentPageId = input.parentPageId ?? newId();
      store.parentPages.add(parentPageId);
      const db = createDatabase(
        handlerCtx({
          parent: { type: 'page_id', page_id: parentPageId },
          title: [{ type: 'text', text: { content: input.title ?? 'Untitled' } }],
          initial_data_source: { properties: input.properties },
        }),
      );
      const sources = db.data_sources;
      const first = Array.isArray(sources) && isRecord(sources[0]) ? sources[0].id : undefined;
      if (typeof db.id !== 'string' || typeof first !== 'string') throw new Error('seeded database has no data source');
      return { databaseId: db.id, dataSourceId: first };
    },
    createPage: (dataSourceId, properties) => {
      const page = createPage(handlerCtx({ parent: { data_source_id: dataSourceId }, properties }));
      return snapshotPage(store.page(String(page.id)), store);
    },
  };
}

function snapshotPage(page: PageRecord, store: NotionStore): EmulatedPage {
  const ds = store.dataSource(page.dataSourceId);
  const properties: Record<string, JsonObject> = {};
  const plain: Record<string, PlainValue> = {};
  for (const prop of ds.properties) {
    properties[prop.name] = structuredClone(renderPropertyValue(prop, page));
    plain[prop.name] = plainValue(page, prop);
  }
  return {
    id: page.id,
    dataSourceId: page.dataSourceId,
    databaseId: page.databaseId,
    inTrash: page.inTrash,
    createdTime: new Date(page.createdTime).toISOString(),
    lastEditedTime: new Date(page.lastEditedTime).toISOString(),
    properties,
    plain,
  };
}

function plainValue(page: PageRecord, prop: PropertySchema): PlainValue {
  switch (prop.type) {
    case 'title':
    case 'rich_text':
      return textOf(page, prop);
    case 'email':
    case 'phone_number':
    case 'url':
      return storedValue(page, prop, prop.type) ?? null;
    case 'number':
      return numberOf(page, prop);
    case 'checkbox':
      return checkboxOf(page, prop);
    case 'select':
    case 'status':
      return optionOf(page, prop)?.name ?? null;
    case 'multi_select':
      return optionsOf(page, prop).map((o) => o.name);
    case 'relation':
      return [...relationOf(page, prop)];
    case 'date': {
      const d = dateOf(page, prop);
      return d === null ? null : { ...d };
    }
    case 'created_time':
    case 'last_edited_time':
      return dateOf(page, prop)?.start ?? null;
  }
}
