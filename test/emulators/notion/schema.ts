// Data source schemas: turning the property configs of POST /v1/databases, POST /v1/data_sources and
// PATCH /v1/data_sources/:id into stored PropertySchema rows. Writes nothing: callers swap the result in
// only when the whole request validated, so a rejected request leaves the schema untouched.
import { MULTIPLE_DATA_SOURCES_MESSAGE, bodyFailed, notAProperty, unsupported, validationError } from './errors.js';
import { parseId } from './ids.js';
import { hasKey, isRecord } from './json.js';
import type { Random } from './prng.js';
import { findProperty, type NotionStore } from './store/state.js';
import { parseOptions, statusConfig } from './options.js';
import type { PropertySchema, PropertyType, RelationConfig } from './store/records.js';

const SUPPORTED_TYPES: readonly PropertyType[] = [
  'title',
  'rich_text',
  'number',
  'select',
  'multi_select',
  'status',
  'date',
  'checkbox',
  'url',
  'email',
  'phone_number',
  'relation',
  'created_time',
  'last_edited_time',
];

/** Real Notion types the emulator does not model; rejected loudly instead of half-supported. */
const UNSUPPORTED_TYPES = [
  'people',
  'files',
  'formula',
  'rollup',
  'created_by',
  'last_edited_by',
  'unique_id',
  'button',
  'verification',
  'place',
  'location',
];

export interface SchemaContext {
  store: NotionStore;
  /** Source of property ids, which Notion makes short, random and URL-encoded. */
  random: Random;
}

/** Builds the schema of a new data source: Notion requires exactly one title property. */
export function buildSchema(raw: unknown, path: string, ctx: SchemaContext): PropertySchema[] {
  if (!isRecord(raw)) throw bodyFailed(path, 'an object', raw);
  const out: PropertySchema[] = [];
  for (const [name, config] of Object.entries(raw)) {
    out.push(buildProperty(name, config, `${path}.${name}`, ctx, out, undefined));
  }
  const titles = out.filter((p) => p.type === 'title').length;
  // (unverified) wording; Notion rejects a schema without exactly one title.
  if (titles === 0) throw validationError('Title property must be defined. A data source must have exactly one title property.');
  if (titles > 1) throw validationError('Only one title property is allowed.');
  return out;
}

/** PATCH semantics: `null` deletes, `{name}` renames, a type key changes type/config, an unknown key adds. */
export function applySchemaUpdate(
  current: readonly PropertySchema[],
  raw: unknown,
  path: string,
  ctx: SchemaContext,
): PropertySchema[] {
  if (!isRecord(raw)) throw bodyFailed(path, 'an object', raw);
  let next: PropertySchema[] = current.map((p) => ({ ...p }));
  for (const [key, change] of Object.entries(raw)) {
    const propPath = `${path}.${key}`;
    const existing = findProperty(next, key);
    if (change === null) {
      if (existing === undefined) throw notAProperty(key);
      if (existing.type === 'title') throw validationError('Cannot delete the title property.'); // (unverified)
      next = next.filter((p) => p.id !== existing.id);
      continue;
    }
    if (!isRecord(change)) throw bodyFailed(propPath, 'an object or `null`', change);
    if (existing === undefined) {
      const name = typeof change.name === 'string' ? change.name : key;
      if (findProperty(next, name) !== undefined) throw validationError(`A property named ${name} already exists.`); // (unverified)
      const added = buildProperty(name, change, propPath, ctx, next, undefined);
      if (added.type === 'title') throw validationError('Only one title property is allowed.');
      next.push(added);
      continue;
    }
    let updated: PropertySchema = existing;
    if (typeTag(change) !== undefined) {
      updated = buildProperty(existing.name, change, propPath, ctx, next, existing);
      if ((existing.type === 'title') !== (updated.type === 'title')) {
        throw validationError('Cannot change the type of the title property, or add a second title property.'); // (unverified)
      }
    }
    if (typeof change.name === 'string' && change.name !== existing.name) {
      const clash = next.find((p) => p.name === change.name && p.id !== existing.id);
      if (clash !== undefined) throw validationError(`A property named ${change.name} already exists.`); // (unverified)
      updated = { ...updated, name: change.name };
    }
    if (typeof change.description === 'string' || change.description === null) {
      updated = { ...updated, description: change.description };
    }
    next = next.map((p) => (p.id === existing.id ? updated : p));
  }
  return next;
}

function typeTag(raw: Record<string, unknown>): string | undefined {
  if (typeof raw.type === 'string') return raw.type;
  return [...SUPPORTED_TYPES, ...UNSUPPORTED_TYPES].find((t) => hasKey(raw, t));
}

function buildProperty(
  name: string,
  raw: unknown,
  path: string,
  ctx: SchemaContext,
  siblings: readonly PropertySchema[],
  previous: PropertySchema | undefined,
): PropertySchema {
  if (!isRecord(raw)) throw bodyFailed(path, 'an object', raw);
  const type = typeTag(raw);
  if (type === undefined) throw bodyFailed(`${path}.type`, 'defined', undefined);
  if (UNSUPPORTED_TYPES.includes(type)) throw unsupported(`property type "${type}"`);
  if (!(SUPPORTED_TYPES as readonly string[]).includes(type)) throw bodyFailed(`${path}.type`, 'a property type', type);
  const config = raw[type] ?? {};
  if (!isRecord(config)) throw bodyFailed(`${path}.${type}`, 'an object', config);
  const description = typeof raw.description === 'string' ? raw.description : (previous?.description ?? null);
  const id = type === 'title' ? 'title' : (previous?.id ?? newPropertyId(ctx.random, siblings));
  const base = { id, name, description };
  const oldOptions = previous !== undefined && 'options' in previous ? previous.options : [];
  switch (type as PropertyType) {
    case 'title':
    case 'rich_text':
    case 'date':
    case 'checkbox':
    case 'url':
    case 'email':
    case 'phone_number':
    case 'created_time':
    case 'last_edited_time':
      return { ...base, type: type as Exclude<PropertyType, 'number' | 'select' | 'multi_select' | 'status' | 'relation'> };
    case 'number':
      return { ...base, type: 'number', format: typeof config.format === 'string' ? config.format : 'number' };
    case 'select':
    case 'multi_select':
      return {
        ...base,
        type: type as 'select' | 'multi_select',
        options: parseOptions(config.options, `${path}.${type}.options`, oldOptions, ctx.random),
      };
    case 'status':
      return { ...base, ...statusConfig(config, `${path}.status.options`, oldOptions, ctx.random) };
    case 'relation':
      return { ...base, type: 'relation', relation: relationConfig(config, `${path}.relation`, ctx) };
  }
}

function relationConfig(config: Record<string, unknown>, path: string, ctx: SchemaContext): RelationConfig {
  let dataSourceId: string;
  let databaseId: string;
  if (config.data_source_id !== undefined) {
    const id = parseId(config.data_source_id);
    if (id === null) throw bodyFailed(`${path}.data_source_id`, 'a valid uuid', config.data_source_id);
    const ds = ctx.store.dataSource(id);
    dataSourceId = ds.id;
    databaseId = ds.databaseId;
  } else if (config.database_id !== undefined) {
    // 2022-06-28 relations name the database; resolve it to its only data source.
    const id = parseId(config.database_id);
    if (id === null) throw bodyFailed(`${path}.database_id`, 'a valid uuid', config.database_id);
    const db = ctx.store.database(id);
    const only = db.dataSourceIds.length === 1 ? db.dataSourceIds[0] : undefined;
    if (only === undefined) throw validationError(MULTIPLE_DATA_SOURCES_MESSAGE);
    dataSourceId = only;
    databaseId = db.id;
  } else {
    throw bodyFailed(`${path}.data_source_id`, 'defined', undefined);
  }
  const kind = config.type === 'dual_property' || (config.type === undefined && isRecord(config.dual_property))
    ? 'dual_property'
    : 'single_property';
  const dual = config.dual_property;
  const syncedPropertyName = isRecord(dual) && typeof dual.synced_property_name === 'string' ? dual.synced_property_name : null;
  return { dataSourceId, databaseId, kind, syncedPropertyName };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:;<=>?@[]^_`{|}~';

/** Notion property ids look like "%3AUPp": four printable characters, URL-encoded. */
function newPropertyId(random: Random, siblings: readonly PropertySchema[]): string {
  for (;;) {
    let raw = '';
    for (let i = 0; i < 4; i += 1) raw += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)] ?? 'x';
    const id = encodeURIComponent(raw);
    if (id !== 'title' && !siblings.some((p) => p.id === id)) return id;
  }
}
