// The in-memory workspace: databases, their data sources and the pages (rows) in them.
// Pure storage with lookups; validation lives in validate.ts/schema.ts and wire formats in render.ts.
import { notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { DatabaseRecord, DataSourceRecord, PageRecord, PropertySchema } from './records.js';

export class NotionStore {
  readonly databases = new Map<string, DatabaseRecord>();
  readonly dataSources = new Map<string, DataSourceRecord>();
  /** Insertion order is creation order, which is the order an unsorted query returns. */
  readonly pages = new Map<string, PageRecord>();
  /** Pages registered as parents for databases (any UUID is accepted as a parent; see README). */
  readonly parentPages = new Set<string>();
  readonly botUserId = newId();

  constructor(readonly now: () => number = Date.now) {}

  clear(): void {
    this.databases.clear();
    this.dataSources.clear();
    this.pages.clear();
    this.parentPages.clear();
  }

  database(id: string): DatabaseRecord {
    const db = this.databases.get(id);
    if (db === undefined) throw notFound('database', id);
    return db;
  }

  dataSource(id: string): DataSourceRecord {
    const ds = this.dataSources.get(id);
    if (ds === undefined) throw notFound('data_source', id);
    return ds;
  }

  page(id: string): PageRecord {
    const page = this.pages.get(id);
    if (page === undefined) throw notFound('page', id);
    return page;
  }

  pagesOf(dataSourceId: string): PageRecord[] {
    return [...this.pages.values()].filter((p) => p.dataSourceId === dataSourceId);
  }

  insertDatabase(db: DatabaseRecord): void {
    this.databases.set(db.id, db);
  }

  insertDataSource(ds: DataSourceRecord): void {
    this.dataSources.set(ds.id, ds);
    this.database(ds.databaseId).dataSourceIds.push(ds.id);
  }

  insertPage(page: PageRecord): void {
    this.pages.set(page.id, page);
  }
}

/** Finds a schema property by name first, then by id, as Notion accepts either in requests. */
export function findProperty(properties: readonly PropertySchema[], key: string): PropertySchema | undefined {
  return properties.find((p) => p.name === key) ?? properties.find((p) => p.id === key || safeDecode(p.id) === key);
}

/** True when `key` names the property or is its id, URL-encoded (as stored) or decoded (as query strings carry it). */
export function propertyMatchesKey(prop: PropertySchema, key: string): boolean {
  return prop.name === key || prop.id === key || safeDecode(prop.id) === key;
}

function safeDecode(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}
