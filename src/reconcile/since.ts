// `--since DATE` / `{"since": ...}`: a calendar date (midnight UTC) or an ISO 8601 date-time with an offset.
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** The instant as ISO UTC, or null when the text is neither form (or not a real date). */
export function parseSinceDate(text: string): string | null {
  const value = text.trim();
  const iso = DATE_RE.test(value) ? `${value}T00:00:00Z` : DATE_TIME_RE.test(value) ? value : null;
  if (iso === null) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const result = new Date(ms).toISOString();
  // Date.parse rolls 2026-02-30 over to March; a round trip keeps that an error.
  if (DATE_RE.test(value) && result.slice(0, 10) !== value) return null;
  return result;
}
