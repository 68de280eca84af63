// The logger's redaction (src/logger.ts) writes exactly what pino's own redaction writes, for every kind of
// value, at the top level and in a child's bindings: skipping pino's redactor for plain strings, numbers
// and booleans must change no line, and keys censored whole must stay censored whatever their value.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PERSONAL_LOG_PATHS, SECRET_LOG_PATHS, createLogger } from '../../src/logger.js';

function capture(): { lines: string[]; destination: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line.replace(/"time":"[^"]*",/, '')) } };
}

const circular: Record<string, unknown> = { name: 'loop' };
circular.self = circular;

/** Values of every type pino serialises differently, none of them shaped like a secret, an email or a phone. */
const VALUES: unknown[] = [
  'plain',
  '',
  'quote " backslash \\ slash / tab \t newline \n nul-ish \u0001 \u001f',
  'unicode é ü 日本 🎉',
  'lone surrogate \ud800 end',
  0,
  -0,
  1.5,
  1e21,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  null,
  undefined,
  10n,
  [1, 'a', null, { secret: 'hidden-value', keep: 1 }],
  { secret: 'hidden-value', token: 'hidden-value', keep: 'kept', nested: { password: 'hidden-value' } },
  { headers: { authorization: 'hidden-value', cookie: 'hidden-value', 'x-cal-signature-256': 'hidden-value', accept: 'json' } },
  { email: 'hidden-value', phone: 'hidden-value', name: 'kept' },
  new Error('boom'),
  circular,
];

/** Keys with special handling in the paths (censored whole, or the first segment of a nested path). */
const KEYS = ['value', 'signature', 'secret', 'token', 'email', 'phone', 'raw_body', 'headers', 'req', 'err', 'reqId', 'payload'];

describe.each([false, true])('log lines with personalData=%s', (personalData) => {
  const paths = personalData ? SECRET_LOG_PATHS : [...SECRET_LOG_PATHS, ...PERSONAL_LOG_PATHS];

  function bothLoggers() {
    const ours = capture();
    const plain = capture();
    const log = createLogger({ level: 'info', personalData, destination: ours.destination });
    const reference = pino(
      { level: 'info', base: { service: 'calsync' }, redact: { paths, censor: '[redacted]' }, timestamp: pino.stdTimeFunctions.isoTime },
      plain.destination,
    );
    return { log, reference, ours: ours.lines, plain: plain.lines };
  }

  it('are the lines plain pino writes, for every value under every kind of key', () => {
    const { log, reference, ours, plain } = bothLoggers();
    for (const key of KEYS) {
      for (const value of VALUES) {
        log.info({ [key]: value, other: value }, 'm');
        reference.info({ [key]: value, other: value }, 'm');
      }
    }
    expect(ours).toHaveLength(KEYS.length * VALUES.length);
    expect(ours).toEqual(plain);
  });

  it("are the lines plain pino writes in a child's bindings", () => {
    const { log, reference, ours, plain } = bothLoggers();
    for (const key of KEYS) {
      for (const value of VALUES) {
        log.child({ [key]: value }).info('m');
        reference.child({ [key]: value }).info('m');
      }
    }
    expect(ours).toEqual(plain);
  });

  it('censor the keys censored whole whatever their value, and nested secret keys', () => {
    const { log, ours } = bothLoggers();
    log.info({ token: 'abc', signature: 123, secret: true, raw_body: 'x', headers: { authorization: 'Basic abc' }, x: { password: 'p' } }, 'm');
    const line = JSON.parse(ours[0] as string) as Record<string, any>;
    expect(line).toMatchObject({ token: '[redacted]', signature: '[redacted]', secret: '[redacted]', raw_body: '[redacted]' });
    expect(line.headers.authorization).toBe('[redacted]');
    expect(line.x.password).toBe('[redacted]');
    log.info({ email: 'abc', phone: 5 }, 'm');
    expect(JSON.parse(ours[1] as string)).toMatchObject(personalData ? { email: 'abc', phone: 5 } : { email: '[redacted]', phone: '[redacted]' });
  });
});
