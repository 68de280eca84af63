// Query filters (POST /v1/data_sources/:id/query `filter`): validated up front with Notion's messages,
// compiled to a predicate over stored pages. Compound filters nest at most two levels, as in Notion.
import { instantOf, isDateOnly, normalizeIsoDate } from './dates.js';
import { bodyFailed, bodyFailedFixOne, unsupported, validationError } from './errors.js';
import { parseId } from './ids.js';
import { hasKey, isRecord, type JsonObject } from './json.js';
import { checkboxOf, dateOf, numberOf, optionOf, optionsOf, relationOf, textOf } from './page-values.js';
import { findProperty } from './store/state.js';
import type { DataSourceRecord, PageRecord, PropertySchema, PropertyType } from './store/records.js';

export type PagePredicate = (page: PageRecord) => boolean;

const MAX_COMPOUND_DEPTH = 2;

const FILTER_TYPES = [
  'title',
  'rich_text',
  'number',
  'checkbox',
  'select',
  'multi_select',
  'status',
  'date',
  'people',
  'files',
  'url',
  'email',
  'phone_number',
  'relation',
  'created_by',
  'created_time',
  'last_edited_by',
  'last_edited_time',
  'formula',
  'unique_id',
  'rollup',
] as const;

const TEXT_TYPES: readonly PropertyType[] = ['title', 'rich_text', 'email', 'phone_number', 'url'];

/** Which property types each filter type applies to. `rich_text` also fits every text-like type (older docs). */
const FILTER_APPLIES_TO: Partial<Record<(typeof FILTER_TYPES)[number], readonly PropertyType[]>> = {
  title: ['title'],
  rich_text: TEXT_TYPES,
  email: ['email'],
  phone_number: ['phone_number'],
  url: ['url'],
  number: ['number'],
  checkbox: ['checkbox'],
  select: ['select'],
  multi_select: ['multi_select'],
  status: ['status'],
  date: ['date', 'created_time', 'last_edited_time'],
  relation: ['relation'],
  created_time: ['created_time'],
  last_edited_time: ['last_edited_time'],
};

const TEXT_OPS = ['equals', 'does_not_equal', 'contains', 'does_not_contain', 'starts_with', 'ends_with', 'is_empty', 'is_not_empty'];
const NUMBER_OPS = ['equals', 'does_not_equal', 'greater_than', 'less_than', 'greater_than_or_equal_to', 'less_than_or_equal_to', 'is_empty', 'is_not_empty'];
const SELECT_OPS = ['equals', 'does_not_equal', 'is_empty', 'is_not_empty'];
const CONTAINS_OPS = ['contains', 'does_not_contain', 'is_empty', 'is_not_empty'];
const DATE_OPS = ['equals', 'before', 'after', 'on_or_before', 'on_or_after', 'is_empty', 'is_not_empty'];
const RELATIVE_DATE_OPS = ['past_week', 'past_month', 'past_year', 'next_week', 'next_month', 'next_year', 'this_week'];

/** Compiles `filter`; undefined means every page. Throws NotionError on an invalid filter. */
export function compileFilter(raw: unknown, ds: DataSourceRecord): PagePredicate {
  if (raw === undefined) return () => true;
  return compile(raw, ds, 0, 'body.filter');
}

function compile(raw: unknown, ds: DataSourceRecord, depth: number, path: string): PagePredicate {
  if (!isRecord(raw)) throw bodyFailed(path, 'an object', raw);
  for (const compound of ['and', 'or'] as const) {
    if (!hasKey(raw, compound)) continue;
    if (depth >= MAX_COMPOUND_DEPTH) {
      // (unverified) wording; Notion documents the two-level limit.
      throw validationError(`body failed validation: ${path}.${compound} is nested too deeply; compound filters can be nested at most ${MAX_COMPOUND_DEPTH} levels.`);
    }
    const list = raw[compound];
    if (!Array.isArray(list)) throw bodyFailed(`${path}.${compound}`, 'an array', list);
    const preds = list.map((f, i) => compile(f, ds, depth + 1, `${path}.${compound}[${i}]`));
    return compound === 'and' ? (p) => preds.every((f) => f(p)) : (p) => preds.some((f) => f(p));
  }
  if (typeof raw.timestamp === 'string') return timestampFilter(raw, path);
  if (typeof raw.property !== 'string') {
    throw bodyFailedFixOne(['or', 'and', ...FILTER_TYPES].map((t) => `${path}.${t}`), undefined);
  }
  const prop = findProperty(ds.properties, raw.property);
  if (prop === undefined) throw validationError(`Could not find property with name or id: ${raw.property}`);
  const filterType = FILTER_TYPES.find((t) => hasKey(raw, t));
  if (filterType === undefined) throw bodyFailedFixOne(FILTER_TYPES.map((t) => `${path}.${t}`), undefined);
  const appliesTo = FILTER_APPLIES_TO[filterType];
  if (appliesTo === undefined) throw unsupported(`the ${filterType} filter`);
  if (!appliesTo.includes(prop.type)) {
    // (unverified) wording.
    throw validationError(`body failed validation: ${path}.${filterType} does not match the type of property ${prop.name} (${prop.type}).`);
  }
  return condition(prop, filterType, raw[filterType], `${path}.${filterType}`);
}

/** One operator per condition object, e.g. {equals: "x"}. */
function operator(raw: unknown, path: string, allowed: readonly string[]): [string, unknown] {
  if (!isRecord(raw)) throw bodyFailed(path, 'an object', raw);
  const keys = Object.keys(raw);
  const op = keys[0];
  if (keys.length === 1 && op !== undefined && RELATIVE_DATE_OPS.includes(op)) throw unsupported(`the relative date filter ${op}`);
  if (keys.length !== 1 || op === undefined || !allowed.includes(op)) {
    throw bodyFailedFixOne(allowed.map((o) => `${path}.${o}`), undefined);
  }
  const value = raw[op];
  if ((op === 'is_empty' || op === 'is_not_empty') && value !== true) throw bodyFailed(`${path}.${op}`, '`true`', value);
  return [op, value];
}

function condition(prop: PropertySchema, filterType: string, raw: unknown, path: string): PagePredicate {
  switch (filterType) {
    case 'title':
    case 'rich_text':
    case 'email':
    case 'phone_number':
    case 'url':
      return textCondition(prop, raw, path);
    case 'number':
      return numberCondition(prop, raw, path);
    case 'checkbox': {
      const [op, value] = operator(raw, path, ['equals', 'does_not_equal']);
      if (typeof value !== 'boolean') throw bodyFailed(`${path}.${op}`, 'a boolean', value);
      return (p) => (checkboxOf(p, prop) === value) === (op === 'equals');
    }
    case 'select':
    case 'status': {
      const [op, value] = operator(raw, path, SELECT_OPS);
      if (op === 'is_empty') return (p) => optionOf(p, prop) === null;
      if (op === 'is_not_empty') return (p) => optionOf(p, prop) !== null;
      if (typeof value !== 'string') throw bodyFailed(`${path}.${op}`, 'a string', value);
      return (p) => (optionOf(p, prop)?.name === value) === (op === 'equals');
    }
    case 'multi_select': {
      const [op, value] = operator(raw, path, CONTAINS_OPS);
      if (op === 'is_empty') return (p) => optionsOf(p, prop).length === 0;
      if (op === 'is_not_empty') return (p) => optionsOf(p, prop).length > 0;
      if (typeof value !== 'string') throw bodyFailed(`${path}.${op}`, 'a string', value);
      return (p) => optionsOf(p, prop).some((o) => o.name === value) === (op === 'contains');
    }
    case 'relation': {
      const [op, value] = operator(raw, path, CONTAINS_OPS);
      if (op === 'is_empty') return (p) => relationOf(p, prop).length === 0;
      if (op === 'is_not_empty') return (p) => relationOf(p, prop).length > 0;
      const id = parseId(value);
      if (id === null) throw bodyFailed(`${path}.${op}`, 'a valid uuid', value);
      return (p) => relationOf(p, prop).includes(id) === (op === 'contains');
    }
    default: {
      const test = dateCondition(raw, path);
      return (p) => test(dateOf(p, prop)?.start ?? null);
    }
  }
}

function textCondition(prop: PropertySchema, raw: unknown, path: string): PagePredicate {
  const [op, value] = operator(raw, path, TEXT_OPS);
  if (op === 'is_empty') return (p) => textOf(p, prop) === '';
  if (op === 'is_not_empty') return (p) => textOf(p, prop) !== '';
  if (typeof value !== 'string') throw bodyFailed(`${path}.${op}`, 'a string', value);
  // Emulator choice (Notion does not document case rules): equals is exact, the others ignore case.
  const needle = value.toLowerCase();
  switch (op) {
    case 'equals':
      return (p) => textOf(p, prop) === value;
    case 'does_not_equal':
      return (p) => textOf(p, prop) !== value;
    case 'contains':
      return (p) => textOf(p, prop).toLowerCase().includes(needle);
    case 'does_not_contain':
      return (p) => !textOf(p, prop).toLowerCase().includes(needle);
    case 'starts_with':
      return (p) => textOf(p, prop).toLowerCase().startsWith(needle);
    default:
      return (p) => textOf(p, prop).toLowerCase().endsWith(needle);
  }
}

function numberCondition(prop: PropertySchema, raw: unknown, path: string): PagePredicate {
  const [op, value] = operator(raw, path, NUMBER_OPS);
  if (op === 'is_empty') return (p) => numberOf(p, prop) === null;
  if (op === 'is_not_empty') return (p) => numberOf(p, prop) !== null;
  if (typeof value !== 'number') throw bodyFailed(`${path}.${op}`, 'a number', value);
  const cmp: Record<string, (n: number) => boolean> = {
    equals: (n) => n === value,
    does_not_equal: (n) => n !== value,
    greater_than: (n) => n > value,
    less_than: (n) => n < value,
    greater_than_or_equal_to: (n) => n >= value,
    less_than_or_equal_to: (n) => n <= value,
  };
  const test = cmp[op] ?? (() => false);
  return (p) => {
    const n = numberOf(p, prop);
    return n === null ? op === 'does_not_equal' : test(n);
  };
}

/**
 * Date conditions. A date-only operand compares calendar days (the page value's own date part);
 * a datetime operand compares instants. `end` of a range is ignored (simplification).
 */
function dateCondition(raw: unknown, path: string): (start: string | null) => boolean {
  const [op, value] = operator(raw, path, DATE_OPS);
  if (op === 'is_empty') return (s) => s === null;
  if (op === 'is_not_empty') return (s) => s !== null;
  const operand = typeof value === 'string' ? normalizeIsoDate(value) : null;
  if (operand === null) throw bodyFailed(`${path}.${op}`, 'a valid ISO 8601 date string', value);
  const byDay = isDateOnly(operand);
  const compare = (s: string): number => {
    if (byDay) {
      const day = s.slice(0, 10);
      return day < operand ? -1 : day > operand ? 1 : 0;
    }
    return Math.sign(instantOf(s) - instantOf(operand));
  };
  const accept: Record<string, (c: number) => boolean> = {
    equals: (c) => c === 0,
    before: (c) => c < 0,
    after: (c) => c > 0,
    on_or_before: (c) => c <= 0,
    on_or_after: (c) => c >= 0,
  };
  const ok = accept[op] ?? (() => false);
  return (s) => s !== null && ok(compare(s));
}

function timestampFilter(raw: JsonObject, path: string): PagePredicate {
  const kind = raw.timestamp;
  if (kind !== 'created_time' && kind !== 'last_edited_time') {
    throw bodyFailed(`${path}.timestamp`, '`"created_time"` or `"last_edited_time"`', kind);
  }
  const test = dateCondition(raw[kind], `${path}.${kind}`);
  return (p) => test(new Date(kind === 'created_time' ? p.createdTime : p.lastEditedTime).toISOString());
}
