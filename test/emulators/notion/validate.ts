// Page property values: checks a request's `properties` against the data source schema with Notion's
// messages and limits, and returns stored values. Nothing is written here; new select options are
// returned as pending and committed by the caller only once the whole request is valid.
import { instantOf, isValidTimeZone, normalizeIsoDate } from './dates.js';
import { bodyFailed, expectedType, notAProperty, validationError } from './errors.js';
import { parseId } from './ids.js';
import { hasKey, isRecord } from './json.js';
import type { Random } from './prng.js';
import { parseRichText } from './rich-text.js';
import { colorFor, newOptionId } from './options.js';
import { findProperty, type NotionStore } from './store/state.js';
import type { DataSourceRecord, DateValue, OptionRef, PropertySchema, SelectOption, StoredValue } from './store/records.js';

export const EMAIL_MAX_CHARS = 200;
export const PHONE_MAX_CHARS = 200;
export const URL_MAX_CHARS = 2000;
export const RELATION_MAX_ITEMS = 100;
export const MULTI_SELECT_MAX_ITEMS = 100;

export interface ValueContext {
  store: NotionStore;
  random: Random;
}

export interface PendingOption {
  propertyId: string;
  option: SelectOption;
}

export interface ParsedValues {
  values: Map<string, StoredValue>;
  pendingOptions: PendingOption[];
}

export function parsePropertyValues(ds: DataSourceRecord, raw: unknown, path: string, ctx: ValueContext): ParsedValues {
  const parsed: ParsedValues = { values: new Map(), pendingOptions: [] };
  if (raw === undefined) return parsed;
  if (!isRecord(raw)) throw bodyFailed(path, 'an object', raw);
  for (const [key, value] of Object.entries(raw)) {
    const prop = findProperty(ds.properties, key);
    if (prop === undefined) throw notAProperty(key);
    parsed.values.set(prop.id, parseValue(prop, value, `${path}.${key}`, ctx, parsed.pendingOptions));
  }
  return parsed;
}

/** Adds the select/multi_select options a valid request named for the first time (Notion creates them). */
export function commitPendingOptions(ds: DataSourceRecord, pending: readonly PendingOption[]): void {
  for (const { propertyId, option } of pending) {
    const prop = ds.properties.find((p) => p.id === propertyId);
    if (prop !== undefined && 'options' in prop && !prop.options.some((o) => o.name === option.name)) {
      prop.options.push(option);
    }
  }
}

function parseValue(
  prop: PropertySchema,
  raw: unknown,
  path: string,
  ctx: ValueContext,
  pending: PendingOption[],
): StoredValue {
  if (!isRecord(raw) || !hasKey(raw, prop.type) || (raw.type !== undefined && raw.type !== prop.type)) {
    throw expectedType(prop.name, prop.type);
  }
  const inner = raw[prop.type];
  const vpath = `${path}.${prop.type}`;
  switch (prop.type) {
    case 'title':
    case 'rich_text':
      if (!Array.isArray(inner)) throw expectedType(prop.name, prop.type);
      return { type: prop.type, value: parseRichText(inner, vpath) };
    case 'email':
      return { type: 'email', value: boundedString(prop, inner, vpath, EMAIL_MAX_CHARS) };
    case 'phone_number':
      return { type: 'phone_number', value: boundedString(prop, inner, vpath, PHONE_MAX_CHARS) };
    case 'url':
      return { type: 'url', value: boundedString(prop, inner, vpath, URL_MAX_CHARS) };
    case 'number':
      if (inner !== null && (typeof inner !== 'number' || !Number.isFinite(inner))) throw expectedType(prop.name, 'number');
      return { type: 'number', value: inner };
    case 'checkbox':
      if (typeof inner !== 'boolean') throw expectedType(prop.name, 'checkbox');
      return { type: 'checkbox', value: inner };
    case 'date':
      return { type: 'date', value: parseDate(prop, inner, vpath) };
    case 'select':
      return { type: 'select', value: inner === null ? null : selectRef(prop, prop.options, inner, vpath, ctx, pending, true) };
    case 'status':
      return { type: 'status', value: inner === null ? null : selectRef(prop, prop.options, inner, vpath, ctx, pending, false) };
    case 'multi_select': {
      if (!Array.isArray(inner)) throw expectedType(prop.name, 'multi_select');
      if (inner.length > MULTI_SELECT_MAX_ITEMS) {
        throw bodyFailed(`${vpath}.length`, `≤ \`${MULTI_SELECT_MAX_ITEMS}\``, inner.length);
      }
      const refs = inner.map((o, i) => selectRef(prop, prop.options, o, `${vpath}[${i}]`, ctx, pending, true));
      return { type: 'multi_select', value: refs.filter((r, i) => refs.findIndex((x) => x.name === r.name) === i) };
    }
    case 'relation':
      return { type: 'relation', value: parseRelation(prop, inner, vpath, ctx) };
    case 'created_time':
    case 'last_edited_time':
      throw validationError(`${prop.name} is a read-only property and cannot be set.`); // (unverified)
  }
}

function boundedString(prop: PropertySchema, inner: unknown, vpath: string, max: number): string | null {
  if (inner === null) return null;
  if (typeof inner !== 'string') throw expectedType(prop.name, prop.type);
  if (inner.length > max) throw bodyFailed(`${vpath}.length`, `≤ \`${max}\``, inner.length);
  return inner;
}

function parseDate(prop: PropertySchema, inner: unknown, vpath: string): DateValue | null {
  if (inner === null) return null;
  if (!isRecord(inner)) throw expectedType(prop.name, 'date');
  const start = typeof inner.start === 'string' ? normalizeIsoDate(inner.start) : null;
  if (start === null) throw bodyFailed(`${vpath}.start`, 'a valid ISO 8601 date string', inner.start);
  let end: string | null = null;
  if (inner.end !== undefined && inner.end !== null) {
    end = typeof inner.end === 'string' ? normalizeIsoDate(inner.end) : null;
    if (end === null) throw bodyFailed(`${vpath}.end`, 'a valid ISO 8601 date string', inner.end);
    if (instantOf(end) < instantOf(start)) throw validationError(`${prop.name} end date must be after its start date.`); // (unverified)
  }
  let timeZone: string | null = null;
  if (inner.time_zone !== undefined && inner.time_zone !== null) {
    if (typeof inner.time_zone !== 'string' || !isValidTimeZone(inner.time_zone)) {
      throw bodyFailed(`${vpath}.time_zone`, 'a valid IANA time zone', inner.time_zone); // (unverified) wording
    }
    timeZone = inner.time_zone;
  }
  return { start, end, time_zone: timeZone };
}

function selectRef(
  prop: PropertySchema,
  options: readonly SelectOption[],
  raw: unknown,
  path: string,
  ctx: ValueContext,
  pending: PendingOption[],
  mayCreate: boolean,
): OptionRef {
  if (!isRecord(raw)) throw expectedType(prop.name, prop.type);
  if (typeof raw.id === 'string') {
    const byId = options.find((o) => o.id === raw.id);
    if (byId === undefined) throw validationError(`Invalid ${prop.type} option id "${raw.id}" for property ${prop.name}.`); // (unverified)
    return ref(byId);
  }
  if (typeof raw.name !== 'string') throw bodyFailed(`${path}.name`, 'a string', raw.name);
  const name = raw.name;
  const existing = options.find((o) => o.name === name) ?? pending.find((p) => p.propertyId === prop.id && p.option.name === name)?.option;
  if (existing !== undefined) return ref(existing);
  if (!mayCreate) {
    throw validationError(`Invalid status option. Status option "${name}" does not exist for property ${prop.name}.`); // (unverified)
  }
  // (unverified) Notion is believed to create a select option on first use; the emulator does so.
  const created: SelectOption = {
    id: newOptionId(ctx.random),
    name,
    color: colorFor(options.length + pending.length),
    description: null,
  };
  pending.push({ propertyId: prop.id, option: created });
  return ref(created);
}

function ref(o: SelectOption): OptionRef {
  return { id: o.id, name: o.name, color: o.color };
}

function parseRelation(prop: PropertySchema, inner: unknown, vpath: string, ctx: ValueContext): string[] {
  if (prop.type !== 'relation' || !Array.isArray(inner)) throw expectedType(prop.name, 'relation');
  if (inner.length > RELATION_MAX_ITEMS) throw bodyFailed(`${vpath}.length`, `≤ \`${RELATION_MAX_ITEMS}\``, inner.length);
  const ids: string[] = [];
  inner.forEach((item, i) => {
    const rawId = isRecord(item) ? item.id : undefined;
    const id = parseId(rawId);
    if (id === null) throw bodyFailed(`${vpath}[${i}].id`, 'a valid uuid', rawId);
    const target = ctx.store.pages.get(id);
    if (target === undefined || target.dataSourceId !== prop.relation.dataSourceId) {
      // (unverified) wording; the code matches what Notion answers for a bad relation target.
      throw validationError(
        `Relation ${prop.name} refers to page ${id}, which is not in its related data source ${prop.relation.dataSourceId}.`,
      );
    }
    if (!ids.includes(id)) ids.push(id);
  });
  return ids;
}
