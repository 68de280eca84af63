// pino JSON logs. Secrets, signatures and keys never appear; emails and phone numbers are masked unless
// LOG_PERSONAL_DATA=true.
//
// Two layers, because pino's `redact` only matches key paths: (1) redact paths blank known keys (headers,
// tokens, email/phone fields); (2) every finished line passes through a scrubber before it is written, which
// masks secret values wherever they occur (an error message, a nested object, a msg string): the configured
// and generated secrets themselves (registered with `redactSecretValues`), bearer tokens, signatures, the
// shapes of calsync/Notion/Cal.com keys, and, unless personal data is on, anything shaped like an email
// address or an international phone number. Routes never log request bodies; this is the safety net.
//
// Any client can put text into a log line (a request id, a trigger name in a signed body), so the scrubber
// must cost time linear in the line whatever it holds: every string in the line is first cut to
// LOG_STRING_MAX_CHARS, and no pattern below can retry from every position of a long run (issue 11: an
// email pattern without a left edge took time quadratic in a run of letters; 16 KB stalled ~250 ms).
import pino, { type DestinationStream, type Logger } from 'pino';

export const SECRET_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-cal-signature-256"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-cal-signature-256"]',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-cal-signature-256"]',
  'authorization',
  'cookie',
  'signature',
  'secret',
  'secrets',
  'token',
  'apiKey',
  'internalApiKey',
  'password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.password',
  'raw_body',
  'rawBody',
  '*.raw_body',
  '*.rawBody',
];

export const PERSONAL_LOG_PATHS = [
  'email',
  'phone',
  'phone_number',
  'organizer_email',
  'attendee_email',
  'attendeePhoneNumber',
  'smsReminderNumber',
  '*.email',
  '*.phone',
  '*.phone_number',
  '*.attendeePhoneNumber',
  '*.smsReminderNumber',
];

export interface LoggerOptions {
  level: string;
  personalData: boolean;
  destination?: DestinationStream;
}

const CENSOR = '[redacted]';
/** Shorter values are not treated as secrets: masking them would garble ordinary words. */
const MIN_SECRET_VALUE_LENGTH = 8;

const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/(Bearer\s+)[^\s"\\]+/gi, `$1${CENSOR}`],
  [/sha256=[0-9a-f]{16,}/gi, `sha256=${CENSOR}`],
  // calsync's generated secrets, Notion integration tokens, Cal.com API keys.
  [/\b(?:whsec|csk)_[A-Za-z0-9_-]{8,}/g, CENSOR],
  [/\b(?:secret|ntn)_[A-Za-z0-9]{20,}/g, CENSOR],
  [/\bcal_(?:live_|test_)?[A-Za-z0-9]{16,}/g, CENSOR],
];

const PERSONAL_PATTERNS: readonly [RegExp, string][] = [
  // The lookbehind lets a match start only at the left edge of a run of local-part characters, so each
  // run is scanned once (without it, every position of a long run rescanned the rest of it). After the @,
  // labels are separated by dots, so the domain part cannot be split two ways either.
  [/(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, '[email]'],
  // International numbers (E.164 and written forms); a leading + keeps dates, times and ids out of it.
  [/\+\d[\d ().-]{5,}\d/g, '[phone]'],
];

/** Longest string (in characters of JSON text) a log line keeps; the rest becomes `…[truncated N]`. */
export const LOG_STRING_MAX_CHARS = 2000;
/** How far a cut moves back to drop a word it would split (an address or key is never left half-masked). */
const CUT_BACKOFF_CHARS = 256;

/** Masks secret (and, unless allowed, personal) values in one finished log line. */
export class LogScrubber {
  private readonly secretValues = new Set<string>();
  private readonly maxStringChars: number;

  constructor(
    private readonly personalData: boolean,
    options: { maxStringChars?: number } = {},
  ) {
    this.maxStringChars = options.maxStringChars ?? LOG_STRING_MAX_CHARS;
  }

  addSecretValues(values: readonly (string | null | undefined)[]): void {
    for (const v of values) {
      if (typeof v !== 'string' || v.length < MIN_SECRET_VALUE_LENGTH) continue;
      this.secretValues.add(v);
      // As it appears inside a JSON string.
      this.secretValues.add(JSON.stringify(v).slice(1, -1));
    }
  }

  scrub(line: string): string {
    let out = line;
    // Before the cut, so a secret the cut would split is still found whole (a linear substring search).
    for (const v of this.secretValues) if (out.includes(v)) out = out.split(v).join(CENSOR);
    out = capJsonStrings(out, this.maxStringChars);
    for (const [re, replacement] of SECRET_PATTERNS) out = out.replace(re, replacement);
    if (!this.personalData) for (const [re, replacement] of PERSONAL_PATTERNS) out = out.replace(re, replacement);
    return out;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Cuts every string literal of a JSON line longer than `max` characters, in one pass. The line is pino's
 * output, so it is valid JSON; the cut never splits an escape sequence or a surrogate pair.
 */
export function capJsonStrings(line: string, max: number): string {
  if (line.length <= max) return line;
  const parts: string[] = [];
  let copiedTo = 0;
  let i = 0;
  while (i < line.length) {
    if (line.charCodeAt(i) !== QUOTE) {
      i++;
      continue;
    }
    const start = i + 1;
    let end = start;
    while (end < line.length) {
      const c = line.charCodeAt(end);
      if (c === QUOTE) break;
      end += c === BACKSLASH ? 2 : 1;
    }
    end = Math.min(end, line.length);
    if (end - start > max) {
      const cut = cutPosition(line, start, start + max);
      parts.push(line.slice(copiedTo, cut), `…[truncated ${end - cut}]`);
      copiedTo = end;
    }
    i = end + 1;
  }
  if (copiedTo === 0) return line;
  parts.push(line.slice(copiedTo));
  return parts.join('');
}

/** Characters of an address, a phone number or a key: a cut inside such a word drops the whole word. */
function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d || c === 0x40;
}

function cutPosition(line: string, start: number, limit: number): number {
  let cut = limit;
  while (cut > start && cut > limit - CUT_BACKOFF_CHARS && isWordChar(line.charCodeAt(cut - 1))) cut--;
  return escapeBoundary(line, start, cut);
}

/** `pos`, moved back to the start of the escape sequence or surrogate pair it falls inside, if any. */
function escapeBoundary(line: string, start: number, pos: number): number {
  // An escape is at most 6 characters (\uXXXX); one starts at a backslash preceded by an even run of them.
  for (let k = 1; k <= 5 && pos - k >= start; k++) {
    const at = pos - k;
    if (line.charCodeAt(at) !== BACKSLASH) continue;
    let run = 1;
    while (at - run >= start && line.charCodeAt(at - run) === BACKSLASH) run++;
    if (run % 2 === 0) continue;
    const length = line.charCodeAt(at + 1) === 0x75 ? 6 : 2;
    if (at + length > pos) return at;
  }
  const before = line.charCodeAt(pos - 1);
  if (pos > start && before >= 0xd800 && before <= 0xdbff) return pos - 1;
  return pos;
}

const SCRUBBER = Symbol('calsync.logScrubber');
type ScrubbedLogger = Logger & { [SCRUBBER]?: LogScrubber };

export function createLogger(options: LoggerOptions): Logger {
  const paths = options.personalData ? SECRET_LOG_PATHS : [...SECRET_LOG_PATHS, ...PERSONAL_LOG_PATHS];
  const scrubber = new LogScrubber(options.personalData);
  const target = options.destination ?? pino.destination({ dest: process.stdout.fd || 1, sync: false });
  const scrubbed: DestinationStream & { flush?: () => void } = {
    write(line: string) {
      target.write(scrubber.scrub(line));
    },
    flush() {
      (target as { flush?: () => void }).flush?.();
    },
  };
  const log: ScrubbedLogger = pino(
    {
      level: options.level,
      base: { service: 'calsync' },
      redact: { paths, censor: CENSOR },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    scrubbed,
  );
  // Child loggers inherit it through the prototype chain.
  log[SCRUBBER] = scrubber;
  serialisePrimitivesDirectly(log, paths);
  return log;
}

type Stringifier = (value: unknown, ...rest: unknown[]) => unknown;

/**
 * pino hands every top-level value of every line (and of every child's bindings) to a redactor: the `*.x`
 * paths give every key one, and it walks its paths even for a string or a number, ~2.5 µs a value, about
 * two thirds of the cost of a request's log line. A primitive has no members to redact, so it is serialised
 * as the redactor's serialiser would (JSON.stringify: the same text) without the walk. Keys that are
 * censored whole (`token`, `email`, …) keep their censor, and objects still go through the redactor.
 * test/security/logger-redaction.test.ts compares the lines with plain pino's.
 */
function serialisePrimitivesDirectly(log: Logger, paths: readonly string[]): void {
  const stringifiers = (log as unknown as Record<symbol, Record<string | symbol, Stringifier> | undefined>)[pino.symbols.stringifiersSym];
  if (!stringifiers) return;
  const censoredWhole = new Set(paths.filter((p) => !/[.[]/.test(p)));
  for (const key of Reflect.ownKeys(stringifiers)) {
    if (key === pino.symbols.redactFmtSym || (typeof key === 'string' && censoredWhole.has(key))) continue;
    const redact = stringifiers[key];
    if (typeof redact !== 'function') continue;
    stringifiers[key] = (value, ...rest) =>
      value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? JSON.stringify(value) : redact(value, ...rest);
  }
}

/**
 * Registers secret values (webhook secrets, the internal key, API tokens) so they are masked wherever they
 * would appear in this logger's output. A logger not made by createLogger is left as it is.
 */
export function redactSecretValues(log: Logger, values: readonly (string | null | undefined)[]): void {
  (log as ScrubbedLogger)[SCRUBBER]?.addSecretValues(values);
}
