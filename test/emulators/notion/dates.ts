// ISO 8601 handling for date properties and date filters.
// Notion's echo of a datetime is (unverified) believed to carry an explicit offset with milliseconds,
// e.g. "2026-12-01T09:00:00.000+00:00" for "2026-12-01T09:00:00Z": the emulator does the same, which
// keeps callers honest about comparing instants rather than strings (docs/notion-api.md §4).

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function validCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** The stored/echoed form of an ISO 8601 date or datetime, or null when `raw` is not one. */
export function normalizeIsoDate(raw: string): string | null {
  const dateOnly = DATE_RE.exec(raw);
  if (dateOnly !== null) {
    return validCalendarDate(Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])) ? raw : null;
  }
  const m = DATETIME_RE.exec(raw);
  if (m === null) return null;
  const [, y = '', mo = '', d = '', hh = '', mi = '', ss = '00', frac = '', zone] = m;
  if (!validCalendarDate(Number(y), Number(mo), Number(d))) return null;
  if (Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) return null;
  const ms = frac.padEnd(3, '0').slice(0, 3);
  let offset = '';
  if (zone !== undefined) {
    if (zone.toUpperCase() === 'Z') offset = '+00:00';
    else {
      const digits = zone.replace(':', '');
      if (Number(digits.slice(1, 3)) > 23 || Number(digits.slice(3, 5)) > 59) return null;
      offset = `${digits.slice(0, 3)}:${digits.slice(3, 5)}`;
    }
  }
  return `${y}-${mo}-${d}T${hh}:${mi}:${ss}.${ms}${offset}`;
}

export function isDateOnly(value: string): boolean {
  return DATE_RE.test(value);
}

/** Milliseconds since the epoch; a date without a time or offset is read as UTC. */
export function instantOf(value: string): number {
  if (DATE_RE.test(value)) return Date.parse(`${value}T00:00:00.000Z`);
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  return Date.parse(withZone);
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Notion reports created_time/last_edited_time rounded down to the minute. */
export function minuteIso(ms: number): string {
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
}
