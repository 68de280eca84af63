// pino JSON logs. Secrets, signatures and keys never appear; emails and phone numbers are masked unless
// LOG_PERSONAL_DATA=true.
import pino, { type Logger } from 'pino';

export const SECRET_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-cal-signature-256"]',
  'headers.authorization',
  'headers["x-cal-signature-256"]',
  'secret',
  'secrets',
  'token',
  'apiKey',
  'internalApiKey',
];

export const PERSONAL_LOG_PATHS = ['email', 'phone', 'organizer_email', 'attendee_email', '*.email', '*.phone'];

export interface LoggerOptions {
  level: string;
  personalData: boolean;
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const paths = options.personalData ? SECRET_LOG_PATHS : [...SECRET_LOG_PATHS, ...PERSONAL_LOG_PATHS];
  return pino(
    {
      level: options.level,
      base: { service: 'calsync' },
      redact: { paths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
