// Tiny readers for loosely-typed JSON values, shared by the mappers. Kept apart so the mappers read as a
// list of field decisions rather than type checks.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A trimmed string, or null when absent, blank or not a string. */
export function nonBlank(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Emails are compared lower-cased everywhere in calsync; other identifiers keep their case. */
export function actorOf(value: unknown): string | null {
  const text = nonBlank(value);
  return text !== null && text.includes('@') ? text.toLowerCase() : text;
}
