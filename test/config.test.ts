// Configuration: every variable is checked before anything starts, a bad one is named in one line, and a
// `.env` in the working directory is read (real environment variables win).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, environment, loadConfig, parseNotionId, readDotEnv } from '../src/config.js';
import { tempDir } from './support/stores.js';

const NOTION_ID = '0123456789abcdef0123456789abcdef';
const NOTION_ID_DASHED = '01234567-89ab-cdef-0123-456789abcdef';
const OTHER_ID = 'fedcba9876543210fedcba9876543210';

/** The ConfigError loadConfig throws for `env`, or a failure if it throws none. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.resolve('./data'),
      databaseUrl: null,
      webhookSecrets: null,
      internalApiKey: null,
      notion: null,
      calcom: { apiKey: null, apiUrl: 'https://api.cal.com' },
      logLevel: 'info',
      logPersonalData: false,
    });
  });

  it('blank values count as unset', () => {
    expect(loadConfig({ PORT: '  ', CAL_WEBHOOK_SECRET: '', NOTION_TOKEN: ' ' })).toMatchObject({ port: 3000, webhookSecrets: null, notion: null });
  });

  it('reads every variable it knows', () => {
    const config = loadConfig({
      PORT: ' 8080 ',
      HOST: '0.0.0.0',
      DATA_DIR: 'relative/dir',
      DATABASE_URL: 'postgresql://user@db.example.com:5432/calsync',
      CAL_WEBHOOK_SECRET: 'new-secret-1, old-secret-2',
      INTERNAL_API_KEY: 'csk_0123456789abcdef',
      NOTION_TOKEN: 'ntn_token',
      NOTION_CLIENTS_DATABASE_ID: NOTION_ID,
      NOTION_SESSIONS_DATABASE_ID: OTHER_ID,
      NOTION_API_URL: 'http://127.0.0.1:9999/',
      NOTION_RATE_LIMIT_RPS: '2.5',
      CALCOM_API_KEY: 'cal_live_abc',
      CALCOM_API_URL: 'https://cal.example.com/',
      LOG_LEVEL: 'warn',
      LOG_PERSONAL_DATA: 'TRUE',
      RECONCILE_INTERVAL_MINUTES: '0',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: path.resolve('relative/dir'),
      databaseUrl: 'postgresql://user@db.example.com:5432/calsync',
      webhookSecrets: ['new-secret-1', 'old-secret-2'],
      internalApiKey: 'csk_0123456789abcdef',
      notion: { token: 'ntn_token', clientsDatabaseId: NOTION_ID_DASHED, sessionsDatabaseId: 'fedcba98-7654-3210-fedc-ba9876543210', apiUrl: 'http://127.0.0.1:9999', rateLimitRps: 2.5 },
      calcom: { apiKey: 'cal_live_abc', apiUrl: 'https://cal.example.com' },
      logLevel: 'warn',
      logPersonalData: true,
      reconcileIntervalMs: 0,
    });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('PORT=0 asks the OS for a free port', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });
});

describe('loadConfig refuses a bad value with one line naming the variable', () => {
  const BAD: [string, Record<string, string>][] = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '3000.5' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '65536' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/calsync' }],
    ['DATABASE_URL', { DATABASE_URL: './calsync.db' }],
    ['CAL_WEBHOOK_SECRET', { CAL_WEBHOOK_SECRET: 'short' }],
    ['CAL_WEBHOOK_SECRET', { CAL_WEBHOOK_SECRET: 'long-enough-secret,' }],
    ['CAL_WEBHOOK_SECRET', { CAL_WEBHOOK_SECRET: 'long-enough-secret,,other-long-secret' }],
    ['INTERNAL_API_KEY', { INTERNAL_API_KEY: 'too-short' }],
    ['NOTION_CLIENTS_DATABASE_ID', { NOTION_TOKEN: 'ntn_x', NOTION_SESSIONS_DATABASE_ID: NOTION_ID }],
    ['NOTION_SESSIONS_DATABASE_ID', { NOTION_TOKEN: 'ntn_x', NOTION_CLIENTS_DATABASE_ID: NOTION_ID }],
    ['NOTION_CLIENTS_DATABASE_ID', { NOTION_TOKEN: 'ntn_x', NOTION_CLIENTS_DATABASE_ID: 'Clients', NOTION_SESSIONS_DATABASE_ID: NOTION_ID }],
    ['NOTION_SESSIONS_DATABASE_ID', { NOTION_TOKEN: 'ntn_x', NOTION_CLIENTS_DATABASE_ID: NOTION_ID, NOTION_SESSIONS_DATABASE_ID: '0123456789abcdef' }],
    ['NOTION_RATE_LIMIT_RPS', { NOTION_RATE_LIMIT_RPS: 'fast' }],
    ['NOTION_RATE_LIMIT_RPS', { NOTION_RATE_LIMIT_RPS: '0' }],
    ['NOTION_RATE_LIMIT_RPS', { NOTION_RATE_LIMIT_RPS: '-3' }],
    ['NOTION_RATE_LIMIT_RPS', { NOTION_RATE_LIMIT_RPS: '1000' }],
    ['NOTION_API_URL', { NOTION_API_URL: 'ftp://api.notion.com' }],
    ['NOTION_API_URL', { NOTION_API_URL: 'api.notion.com' }],
    ['CALCOM_API_URL', { CALCOM_API_URL: 'not a url' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['LOG_PERSONAL_DATA', { LOG_PERSONAL_DATA: 'maybe' }],
    ['RECONCILE_INTERVAL_MINUTES', { RECONCILE_INTERVAL_MINUTES: '-5' }],
    ['RECONCILE_INTERVAL_MINUTES', { RECONCILE_INTERVAL_MINUTES: '1441' }],
  ];
  it.each(BAD)('%s in %j', (variable, env) => {
    const err = configError(env);
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(`${variable}: `)).toBe(true);
    expect(err.message).not.toContain('\n');
  });

  it('never repeats a secret in its message', () => {
    expect(configError({ CAL_WEBHOOK_SECRET: 'sekrit' }).message).not.toContain('sekrit');
    expect(configError({ INTERNAL_API_KEY: 'sekrit-key' }).message).not.toContain('sekrit-key');
  });

  it('a bad value stops the whole load, even when everything else is fine', () => {
    expect(() => loadConfig({ CAL_WEBHOOK_SECRET: 'a-good-secret', INTERNAL_API_KEY: 'csk_0123456789abcdef', PORT: 'abc' })).toThrow(ConfigError);
  });

  it('Notion settings are checked only when Notion is enabled', () => {
    expect(loadConfig({ NOTION_CLIENTS_DATABASE_ID: 'not an id' }).notion).toBeNull();
  });
});

describe('parseNotionId: ids as people copy them', () => {
  const TABLE: [string, string, string | null][] = [
    ['32 hex digits', NOTION_ID, NOTION_ID_DASHED],
    ['upper case', NOTION_ID.toUpperCase(), NOTION_ID_DASHED],
    ['a dashed uuid', NOTION_ID_DASHED, NOTION_ID_DASHED],
    ['a database URL', `https://www.notion.so/${NOTION_ID}`, NOTION_ID_DASHED],
    ['a database URL with its view', `https://www.notion.so/acme/${NOTION_ID}?v=${OTHER_ID}`, NOTION_ID_DASHED],
    ['a titled page URL', `https://www.notion.so/acme/Sessions-${NOTION_ID}`, NOTION_ID_DASHED],
    ['a titled URL with query parameters', `https://www.notion.so/acme/Sessions-${NOTION_ID}?pvs=4`, NOTION_ID_DASHED],
    ['a URL with a trailing slash', `https://www.notion.so/${NOTION_ID}/`, NOTION_ID_DASHED],
    ['a notion.site URL', `https://acme.notion.site/Clients-${NOTION_ID}`, NOTION_ID_DASHED],
    ['a URL with a fragment', `https://www.notion.so/acme/Clients-${NOTION_ID}#heading`, NOTION_ID_DASHED],
    ['a name', 'Sessions', null],
    ['too short', NOTION_ID.slice(1), null],
    ['not hex', 'g'.repeat(32), null],
    ['a URL without an id', 'https://www.notion.so/acme/Sessions', null],
  ];
  it.each(TABLE)('%s', (_name, raw, expected) => {
    expect(parseNotionId(raw)).toBe(expected);
  });

  it('loadConfig accepts database URLs for both Notion ids', () => {
    const config = loadConfig({
      NOTION_TOKEN: 'ntn_x',
      NOTION_CLIENTS_DATABASE_ID: `https://www.notion.so/acme/Clients-${NOTION_ID}?v=${OTHER_ID}`,
      NOTION_SESSIONS_DATABASE_ID: `https://www.notion.so/acme/${OTHER_ID}?v=${NOTION_ID}&pvs=4`,
    });
    expect(config.notion).toMatchObject({ clientsDatabaseId: NOTION_ID_DASHED, sessionsDatabaseId: 'fedcba98-7654-3210-fedc-ba9876543210' });
  });
});

describe('.env', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  function dirWithDotEnv(text: string): string {
    const dir = tempDir('calsync-env-');
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, '.env'), text);
    return dir;
  }

  it('reads KEY=VALUE lines with comments, export, quotes and spaces', () => {
    const dir = dirWithDotEnv(
      [
        '# calsync settings',
        '',
        'PORT=8081',
        'export HOST=0.0.0.0',
        'CAL_WEBHOOK_SECRET = spaced-secret-value ',
        'INTERNAL_API_KEY="quoted key with # inside"',
        "LOG_LEVEL='debug'",
        'DATA_DIR=/var/lib/calsync # where the store lives',
        'CALCOM_API_KEY=cal_abc#def',
        'NOTION_TOKEN="ntn_quoted" # with a comment after the quotes',
        'not a setting line',
      ].join('\n'),
    );
    expect(readDotEnv(path.join(dir, '.env'))).toEqual({
      PORT: '8081',
      HOST: '0.0.0.0',
      CAL_WEBHOOK_SECRET: 'spaced-secret-value',
      INTERNAL_API_KEY: 'quoted key with # inside',
      LOG_LEVEL: 'debug',
      DATA_DIR: '/var/lib/calsync',
      CALCOM_API_KEY: 'cal_abc#def',
      NOTION_TOKEN: 'ntn_quoted',
    });
  });

  it('reads Windows line endings', () => {
    const dir = dirWithDotEnv('PORT=8082\r\nHOST=::1\r\n');
    expect(readDotEnv(path.join(dir, '.env'))).toEqual({ PORT: '8082', HOST: '::1' });
  });

  it('a missing .env is no settings', () => {
    const dir = tempDir('calsync-env-');
    dirs.push(dir);
    expect(readDotEnv(path.join(dir, '.env'))).toEqual({});
    expect(environment(dir, { PORT: '1' })).toEqual({ PORT: '1' });
  });

  it('the real environment wins over .env, and loadConfig uses the merge', () => {
    const dir = dirWithDotEnv('PORT=8083\nHOST=10.0.0.1\nLOG_LEVEL=debug\n');
    const config = loadConfig(environment(dir, { PORT: '9090' }));
    expect(config).toMatchObject({ port: 9090, host: '10.0.0.1', logLevel: 'debug' });
  });

  it('a bad value in .env is reported like one in the environment', () => {
    const dir = dirWithDotEnv('PORT=eighty\n');
    expect(() => loadConfig(environment(dir, {}))).toThrow(/^PORT: /);
  });
});
