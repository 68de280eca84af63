// The one table of error codes: well-formed rows, the contract's codes with the contract's statuses, the
// error body shape every route answers with, and the README's list of codes kept identical to the table.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CalsyncError, ERROR_TABLE, isCalsyncError, type ErrorCode } from '../src/errors.js';

/** What /work/shared/CONTRACT.md promises for webhook intake and the read API. */
const CONTRACT_CODES: [ErrorCode, number][] = [
  ['invalid_signature', 401],
  ['invalid_json', 400],
  ['unsupported_event', 400],
  ['payload_too_large', 413],
  ['unsupported_media_type', 415],
  ['validation_error', 422],
  ['booking_not_found', 404],
  ['unauthorized', 401],
];

describe('ERROR_TABLE', () => {
  it.each(CONTRACT_CODES)('has the contract code %s with status %i', (code, status) => {
    expect(ERROR_TABLE[code].status).toBe(status);
  });

  it.each(Object.entries(ERROR_TABLE))('%s: a snake_case code, an error status and a message', (code, row) => {
    expect(code).toMatch(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/);
    expect(row.status).toBeGreaterThanOrEqual(400);
    expect(row.status).toBeLessThan(600);
    expect(row.message.trim().length).toBeGreaterThan(0);
  });

  it('only internal_error and upstream trouble are 5xx: bad input is never a server error', () => {
    const serverErrors = Object.entries(ERROR_TABLE)
      .filter(([, row]) => row.status >= 500)
      .map(([code]) => code)
      .sort();
    expect(serverErrors.every((code) => code === 'internal_error' || /unavailable|not_configured|api_error/.test(code))).toBe(true);
  });
});

describe('CalsyncError', () => {
  it('takes status and default message from its row', () => {
    const err = new CalsyncError('payload_too_large');
    expect(err).toBeInstanceOf(Error);
    expect(isCalsyncError(err)).toBe(true);
    expect(isCalsyncError(new Error('x'))).toBe(false);
    expect([err.code, err.status, err.message]).toEqual(['payload_too_large', 413, ERROR_TABLE.payload_too_large.message]);
  });

  it('answers with the contract body; details only when given', () => {
    expect(new CalsyncError('invalid_json', 'Body is not JSON').toBody()).toEqual({ status: 'error', error: { code: 'invalid_json', message: 'Body is not JSON' } });
    const issues = [{ path: 'payload.startTime', message: 'must be an ISO 8601 date-time' }];
    expect(new CalsyncError('validation_error', 'Invalid payload.startTime', { issues }).toBody()).toEqual({
      status: 'error',
      error: { code: 'validation_error', message: 'Invalid payload.startTime', details: { issues } },
    });
  });
});

describe('README error codes', () => {
  it('lists exactly the codes of ERROR_TABLE, each with its status', () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
    const section = readme.split('## Error codes')[1]?.split('\n## ')[0] ?? '';
    const listed = Object.fromEntries([...section.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
    const table = Object.fromEntries(Object.entries(ERROR_TABLE).map(([code, row]) => [code, row.status]));
    expect(listed).toEqual(table);
  });
});
