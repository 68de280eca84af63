// `calsync calcom register --url PUBLIC_URL`: subscribes calsync to Cal.com's webhooks through API v2.
//
// The subscription signs with the secret the server already verifies with (--secret, CAL_WEBHOOK_SECRET,
// or the one calsync generated in DATA_DIR); when none is known, the existing subscription's secret is
// kept, or a new one is generated. The secret is printed as the `CAL_WEBHOOK_SECRET=...` line for the
// server's environment, and `--write-env` writes it into ./.env (new secret first, earlier ones kept for
// the rotation). Running the command twice creates nothing: the subscription for the same URL is reused.
import path from 'node:path';
import { loadConfig, ConfigError } from '../config.js';
import { registerWebhook, CALSYNC_WEBHOOK_TRIGGERS } from '../calcom/api/register-webhook.js';
import { CalsyncError } from '../errors.js';
import { calcomClientFor } from '../calcom/api/configured-client.js';
import { parseCommandArgs } from './args.js';
import { writeWebhookSecret } from './env-file.js';
import { envOf, EXIT_FAILED, EXIT_OK, UsageError, type CliIo } from './io.js';
import { serverWebhookSecret, webhookUrlOf } from './settings.js';

export const REGISTER_HELP = `Usage: calsync calcom register --url PUBLIC_URL [--secret S] [--write-env]

Creates (or reuses) the Cal.com webhook subscription that sends bookings to
calsync, through Cal.com API v2 (needs CALCOM_API_KEY; CALCOM_API_URL for a
self-hosted Cal.com). Running it again creates nothing new.

  PUBLIC_URL is where Cal.com can reach calsync, e.g. https://calsync.example.com
  (/webhooks/calcom is added when no path is given).

Triggers: ${CALSYNC_WEBHOOK_TRIGGERS.join(', ')}

Options:
  --url URL      public URL of calsync (required)
  --secret S     signing secret (default: the one the server uses, from
                 CAL_WEBHOOK_SECRET or DATA_DIR; else the subscription's own,
                 else a new one)
  --write-env    write CAL_WEBHOOK_SECRET into ./.env (created if absent;
                 a previous value is kept after the new one for rotation)
  -h, --help     this help

Prints the CAL_WEBHOOK_SECRET=... line the server needs; restart calsync
after changing its secret.`;

const MIN_SECRET_LENGTH = 8;

export async function runCalcomRegister(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('calcom register', argv, {
    url: { type: 'string' },
    secret: { type: 'string' },
    'write-env': { type: 'boolean' },
  });
  if (values.help) {
    io.out(REGISTER_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'calcom register');
  if (values.url === undefined) throw new UsageError('--url PUBLIC_URL is required', 'calcom register');
  const subscriberUrl = publicUrl(values.url);
  if (values.secret !== undefined && values.secret.trim().length < MIN_SECRET_LENGTH) {
    throw new UsageError(`--secret must have at least ${MIN_SECRET_LENGTH} characters`, 'calcom register');
  }

  const env = envOf(io);
  let client;
  try {
    client = calcomClientFor(loadConfig(env));
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`calsync calcom register: configuration error: ${err.message}`);
      return EXIT_FAILED;
    }
    throw err;
  }
  if (!client) {
    io.err('calsync calcom register: CALCOM_API_KEY is not set (environment or .env); create one in Cal.com > Settings > Developer > API keys');
    return EXIT_FAILED;
  }
  const server = values.secret !== undefined ? { secret: values.secret.trim(), from: '--secret' } : serverWebhookSecret(env, io.cwd);

  let result;
  try {
    result = await registerWebhook(client, { subscriberUrl, serverSecret: server?.secret ?? null });
  } catch (err) {
    if (err instanceof CalsyncError) {
      io.err(`calsync calcom register: ${err.message}`);
      return EXIT_FAILED;
    }
    throw err;
  }

  switch (result.action) {
    case 'created':
      io.out(`Created webhook ${result.webhook.id} → ${subscriberUrl}`);
      break;
    case 'updated':
      io.out(`Reused webhook ${result.webhook.id} → ${subscriberUrl} (updated: ${result.changed.join(', ')})`);
      break;
    case 'unchanged':
      io.out(`Webhook ${result.webhook.id} → ${subscriberUrl} is already registered; nothing changed`);
      break;
  }
  io.out(`Triggers: ${result.webhook.triggers.join(', ')}`);
  io.out('');
  io.out(`CAL_WEBHOOK_SECRET=${result.secret}`);

  const envFile = path.join(io.cwd, '.env');
  if (server !== null && server.secret === result.secret && values['write-env'] !== true) {
    io.out(`The server already verifies with this secret (${server.from}).`);
    return EXIT_OK;
  }
  if (values['write-env']) {
    const change = writeWebhookSecret(envFile, result.secret);
    const said = { created: 'Created', appended: 'Added to', updated: 'Updated', unchanged: 'Already in' }[change];
    io.out(`${said} ${envFile}${change === 'unchanged' ? '' : '; restart calsync so it verifies with this secret'}.`);
  } else {
    io.out("Put this line in the server's environment (or .env) and restart calsync.");
    io.out(`Or run again with --write-env to write it into ${envFile}.`);
  }
  return EXIT_OK;
}

function publicUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return webhookUrlOf(raw);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${raw}"`, 'calcom register');
  }
}
