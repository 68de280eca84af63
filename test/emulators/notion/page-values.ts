// Reading a page's stored value for a property in the shapes filters, sorts and snapshots compare.
import { plainText } from './rich-text.js';
import type { DateValue, OptionRef, PageRecord, PropertySchema, StoredValue, StoredValueTypes } from './store/records.js';

/** The stored value when it still matches the property's type; undefined when unset or orphaned. */
export function storedValue<T extends StoredValue['type']>(page: PageRecord, prop: PropertySchema, type: T): StoredValueTypes[T] | undefined {
  const stored = page.values.get(prop.id);
  if (stored === undefined || stored.type !== type || prop.type !== type) return undefined;
  // TypeScript cannot narrow a union by a generic tag; the checks above make this cast sound.
  return stored.value as StoredValueTypes[T];
}

/** Text-like properties as one string, '' when empty. */
export function textOf(page: PageRecord, prop: PropertySchema): string {
  switch (prop.type) {
    case 'title':
    case 'rich_text':
      return plainText(storedValue(page, prop, prop.type) ?? []);
    case 'email':
    case 'phone_number':
    case 'url':
      return storedValue(page, prop, prop.type) ?? '';
    default:
      return '';
  }
}

export function optionOf(page: PageRecord, prop: PropertySchema): OptionRef | null {
  if (prop.type !== 'select' && prop.type !== 'status') return null;
  const picked = storedValue(page, prop, prop.type) ?? null;
  // Options deleted from the schema read as empty, like the rendered page.
  const option = picked === null ? undefined : prop.options.find((o) => o.id === picked.id);
  return option === undefined ? null : { id: option.id, name: option.name, color: option.color };
}

export function optionsOf(page: PageRecord, prop: PropertySchema): OptionRef[] {
  if (prop.type !== 'multi_select') return [];
  const picked = storedValue(page, prop, 'multi_select') ?? [];
  return picked.flatMap((p) => prop.options.filter((o) => o.id === p.id).map((o) => ({ id: o.id, name: o.name, color: o.color })));
}

export function dateOf(page: PageRecord, prop: PropertySchema): DateValue | null {
  if (prop.type === 'created_time') return { start: new Date(page.createdTime).toISOString(), end: null, time_zone: null };
  if (prop.type === 'last_edited_time') return { start: new Date(page.lastEditedTime).toISOString(), end: null, time_zone: null };
  return storedValue(page, prop, 'date') ?? null;
}

export function relationOf(page: PageRecord, prop: PropertySchema): string[] {
  return storedValue(page, prop, 'relation') ?? [];
}

export function numberOf(page: PageRecord, prop: PropertySchema): number | null {
  return storedValue(page, prop, 'number') ?? null;
}

export function checkboxOf(page: PageRecord, prop: PropertySchema): boolean {
  return storedValue(page, prop, 'checkbox') ?? false;
}
