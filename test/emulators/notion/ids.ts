// Notion ids are UUIDs. Responses always carry the dashed lower-case form, while requests may use either
// the dashed or the 32-hex compact form (the one in notion.so URLs), so every id is normalised on the way in.
import { randomUUID } from 'node:crypto';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The dashed lower-case form of a Notion id, or null when `raw` is not a UUID with or without dashes. */
export function parseId(raw: unknown): string | null {
  if (typeof raw !== 'string' || !UUID_RE.test(raw)) return null;
  const hex = raw.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newId(): string {
  return randomUUID();
}

/** The 32-hex form Notion uses inside page URLs. */
export function compactId(id: string): string {
  return id.replace(/-/g, '');
}
