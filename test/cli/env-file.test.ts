// Writing CAL_WEBHOOK_SECRET into .env: other lines untouched, the previous secret kept after the new one.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeWebhookSecret } from '../../src/cli/env-file.js';
import { loadConfig, readDotEnv } from '../../src/config.js';
import { tempDir } from '../support/stores.js';

const dir = tempDir('calsync-envfile-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('writeWebhookSecret', () => {
  it('creates, appends, rotates and leaves an identical value alone', () => {
    const file = path.join(dir, '.env');
    expect(writeWebhookSecret(file, 'whsec_first_secret')).toBe('created');
    expect(fs.readFileSync(file, 'utf8')).toBe('CAL_WEBHOOK_SECRET=whsec_first_secret\n');

    fs.writeFileSync(file, '# settings\nPORT=3100\nexport CAL_WEBHOOK_SECRET="whsec_first_secret" # old\nLOG_LEVEL=debug\n');
    expect(writeWebhookSecret(file, 'whsec_second_secret')).toBe('updated');
    expect(fs.readFileSync(file, 'utf8')).toBe('# settings\nPORT=3100\nexport CAL_WEBHOOK_SECRET=whsec_second_secret,whsec_first_secret\nLOG_LEVEL=debug\n');
    // The server reads it as the new secret first, the old one still accepted.
    expect(loadConfig(readDotEnv(file)).webhookSecrets).toEqual(['whsec_second_secret', 'whsec_first_secret']);

    expect(writeWebhookSecret(file, 'whsec_second_secret')).toBe('unchanged');

    const other = path.join(dir, 'other.env');
    fs.writeFileSync(other, 'PORT=1');
    expect(writeWebhookSecret(other, 'whsec_third_secret')).toBe('appended');
    expect(fs.readFileSync(other, 'utf8')).toBe('PORT=1\nCAL_WEBHOOK_SECRET=whsec_third_secret\n');
  });
});
