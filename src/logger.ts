// pino JSON logs. Secrets, signatures and keys never appear; emails and phone numbers are masked unless
// LOG_PERSONAL_DATA=true.
//
// Two layers, because pino's `redact` only matches key paths: (1) redact paths blank known keys (headers,
// tokens, email/phone fields); (2) every finished line passes through a scrubber before it is written, which
// masks secret values wherever they occur (an error message, a nested object, a msg string): the configured
// and generated secrets themselves (registered with `redactSecretValues`), bearer tokens, signatures, the
// shapes of calsync/Notion/Cal.com keys, and, unless personal data is on, anything shaped like an email
// address or an international phone number. Routes never log request bodies; this is the safety net.
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
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, '[email]'],
  // International numbers (E.164 and written forms); a leading + keeps dates, times and ids out of it.
  [/\+\d[\d ().-]{5,}\d/g, '[phone]'],
];

/** Masks secret (and, unless allowed, personal) values in one finished log line. */
export class LogScrubber {
  private readonly secretValues = new Set<string>();

  constructor(private readonly personalData: boolean) {}

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
    for (const v of this.secretValues) if (out.includes(v)) out = out.split(v).join(CENSOR);
    for (const [re, replacement] of SECRET_PATTERNS) out = out.replace(re, replacement);
    if (!this.personalData) for (const [re, replacement] of PERSONAL_PATTERNS) out = out.replace(re, replacement);
    return out;
  }
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
  return log;
}

/**
 * Registers secret values (webhook secrets, the internal key, API tokens) so they are masked wherever they
 * would appear in this logger's output. A logger not made by createLogger is left as it is.
 */
export function redactSecretValues(log: Logger, values: readonly (string | null | undefined)[]): void {
  (log as ScrubbedLogger)[SCRUBBER]?.addSecretValues(values);
}
