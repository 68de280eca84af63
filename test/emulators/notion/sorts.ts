// Query sorts: [{property, direction}] or [{timestamp, direction}], earlier entries first.
// Empty values go last in both directions (as in Notion's UI); select/status sort by option order.
import { instantOf } from './dates.js';
import { bodyFailed, validationError } from './errors.js';
import { isRecord } from './json.js';
import { checkboxOf, dateOf, numberOf, optionOf, optionsOf, relationOf, textOf } from './page-values.js';
import { findProperty } from './store/state.js';
import type { DataSourceRecord, PageRecord, PropertySchema } from './store/records.js';

export type PageComparator = (a: PageRecord, b: PageRecord) => number;
type SortKey = string | number | null;

export function compileSorts(raw: unknown, ds: DataSourceRecord): PageComparator | null {
  if (raw === undefined) return null;
  if (!Array.isArray(raw)) throw bodyFailed('body.sorts', 'an array', raw);
  const keys = raw.map((sort, i) => {
    const path = `body.sorts[${i}]`;
    if (!isRecord(sort)) throw bodyFailed(path, 'an object', sort);
    const direction = sort.direction;
    if (direction !== 'ascending' && direction !== 'descending') {
      throw bodyFailed(`${path}.direction`, '`"ascending"` or `"descending"`', direction);
    }
    let key: (p: PageRecord) => SortKey;
    if (sort.timestamp !== undefined) {
      if (sort.timestamp !== 'created_time' && sort.timestamp !== 'last_edited_time') {
        throw bodyFailed(`${path}.timestamp`, '`"created_time"` or `"last_edited_time"`', sort.timestamp);
      }
      const field = sort.timestamp === 'created_time' ? 'createdTime' : 'lastEditedTime';
      key = (p) => p[field];
    } else {
      if (typeof sort.property !== 'string') throw bodyFailed(`${path}.property`, 'a string', sort.property);
      const prop = findProperty(ds.properties, sort.property);
      if (prop === undefined) throw validationError(`Could not find sort property with name or id: ${sort.property}`);
      key = sortKey(prop);
    }
    return { key, sign: direction === 'ascending' ? 1 : -1 };
  });
  return (a, b) => {
    for (const { key, sign } of keys) {
      const ka = key(a);
      const kb = key(b);
      if (ka === kb) continue;
      if (ka === null) return 1;
      if (kb === null) return -1;
      return (ka < kb ? -1 : 1) * sign;
    }
    return 0;
  };
}

function sortKey(prop: PropertySchema): (p: PageRecord) => SortKey {
  switch (prop.type) {
    case 'title':
    case 'rich_text':
    case 'email':
    case 'phone_number':
    case 'url':
      return (p) => textOf(p, prop) || null;
    case 'number':
      return (p) => numberOf(p, prop);
    case 'checkbox':
      return (p) => (checkboxOf(p, prop) ? 1 : 0);
    case 'select':
    case 'status':
      return (p) => {
        const picked = optionOf(p, prop);
        return picked === null ? null : prop.options.findIndex((o) => o.id === picked.id);
      };
    case 'multi_select':
      return (p) => optionsOf(p, prop)[0]?.name ?? null;
    case 'relation':
      return (p) => relationOf(p, prop).length || null;
    case 'date':
    case 'created_time':
    case 'last_edited_time':
      return (p) => {
        const d = dateOf(p, prop);
        return d === null ? null : instantOf(d.start);
      };
  }
}
