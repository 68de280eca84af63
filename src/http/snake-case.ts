// The API speaks snake_case; the stored normalised event (DomainEvent) is camelCase TypeScript. Keys are
// converted where it is shown, except under keys whose contents are someone else's data (booking metadata
// and form responses keep the keys their owner chose).

const VERBATIM_KEYS = new Set(['metadata', 'responses']);
/** Deeper than any DomainEvent; what lies beyond is shown as it is. */
const MAX_DEPTH = 16;

export function snakeCaseKey(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

export function snakeCaseKeys(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => snakeCaseKeys(v, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = snakeCaseKey(key);
    out[name] = VERBATIM_KEYS.has(name) ? v : snakeCaseKeys(v, depth + 1);
  }
  return out;
}
