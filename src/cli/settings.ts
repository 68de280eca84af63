// Where the CLI finds what the server uses: its address, webhook secret and API key. The environment and
// `.env` come first; on the embedded store the values calsync generated sit in DATA_DIR.
import path from 'node:path';
import { readDotEnv } from '../config.js';
import { GENERATED_SECRETS_FILE } from '../secrets.js';

type Env = Record<string, string | undefined>;

const DEFAULT_PORT = '3000';
const DEFAULT_HOST = '127.0.0.1';
export const WEBHOOK_PATH = '/webhooks/calcom';

function value(env: Env, name: string): string | null {
  const v = env[name]?.trim();
  return v ? v : null;
}

/** The local server's base URL from HOST and PORT (what `npm start` listens on). */
export function defaultBaseUrl(env: Env): string {
  const host = value(env, 'HOST') ?? DEFAULT_HOST;
  const reachable = host === '0.0.0.0' || host === '::' ? DEFAULT_HOST : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${value(env, 'PORT') ?? DEFAULT_PORT}`;
}

/** Values calsync generated and kept in DATA_DIR (embedded store only). */
export function generatedSecrets(env: Env, cwd: string): Env {
  const dataDir = path.resolve(cwd, value(env, 'DATA_DIR') ?? './data');
  return readDotEnv(path.join(dataDir, GENERATED_SECRETS_FILE));
}

/** The webhook secret the server checks signatures with (the newest, when several are configured). */
export function serverWebhookSecret(env: Env, cwd: string): { secret: string; from: string } | null {
  const configured = value(env, 'CAL_WEBHOOK_SECRET');
  if (configured) return { secret: configured.split(',')[0]!.trim(), from: 'CAL_WEBHOOK_SECRET' };
  const generated = value(generatedSecrets(env, cwd), 'CAL_WEBHOOK_SECRET');
  return generated ? { secret: generated, from: `the generated secret in ${GENERATED_SECRETS_FILE}` } : null;
}

export function internalApiKey(env: Env, cwd: string): string | null {
  return value(env, 'INTERNAL_API_KEY') ?? value(generatedSecrets(env, cwd), 'INTERNAL_API_KEY');
}

/** A base URL without a trailing slash; a full webhook URL when only a base was given. */
export function webhookUrlOf(raw: string): string {
  const url = new URL(raw);
  if (url.pathname === '/' || url.pathname === '') url.pathname = WEBHOOK_PATH;
  return url.toString();
}

export function baseUrlOf(raw: string): string {
  const url = new URL(raw);
  return url.toString().replace(/\/+$/, '');
}
