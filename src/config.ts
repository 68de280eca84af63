// Configuration from the environment (and a `.env` file in the working directory). Every variable is
// checked before anything starts; a bad one stops start-up with one line naming it.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  /** Webhook secrets, newest first; null = generate one (kept in the store). */
  webhookSecrets: string[] | null;
  internalApiKey: string | null;
  notion: NotionConfig | null;
  calcom: CalcomConfig;
  logLevel: string;
  /** Show emails and phone numbers in logs (off: redacted). */
  logPersonalData: boolean;
  reconcileIntervalMs: number;
  /** OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: outbound webhook endpoints may be loopback, private or link-local addresses. */
  outboundWebhooksAllowPrivate: boolean;
  /** Fastify's `trustProxy`: which reverse proxies' X-Forwarded-* headers count (false: none). */
  trustProxy: TrustProxy;
}

/** false: trust no proxy headers; true: trust any; else proxy-addr names, addresses and CIDRs. */
export type TrustProxy = boolean | string[];

export interface NotionConfig {
  token: string;
  clientsDatabaseId: string;
  sessionsDatabaseId: string;
  apiUrl: string;
  rateLimitRps: number;
}

export interface CalcomConfig {
  apiKey: string | null;
  apiUrl: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const DEFAULT_PORT = 3000;
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_NOTION_API_URL = 'https://api.notion.com';
const DEFAULT_CALCOM_API_URL = 'https://api.cal.com';
const DEFAULT_NOTION_RATE_LIMIT_RPS = 3;
const DEFAULT_RECONCILE_INTERVAL_MINUTES = 15;
const MIN_SECRET_LENGTH = 8;
const MIN_API_KEY_LENGTH = 16;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads `.env` (KEY=VALUE lines, # comments, optional quotes); real environment variables win. */
export function readDotEnv(file: string): Env {
  if (!fs.existsSync(file)) return {};
  const out: Env = {};
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!m) continue;
    let value = (m[2] ?? '').trim();
    // Fix: a quoted value followed by a comment (`X="v" # note`) kept its quotes; unquote before the comment.
    const quoted = /^(["'])(.*)\1\s*(?:#.*)?$/.exec(value);
    if (quoted) value = quoted[2] as string;
    else value = value.replace(/\s+#.*$/, '');
    out[m[1] as string] = value;
  }
  return out;
}

export function environment(cwd = process.cwd(), env: Env = process.env): Env {
  return { ...readDotEnv(path.join(cwd, '.env')), ...env };
}

function str(env: Env, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number between ${min} and ${max}, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = str(env, name) ?? fallback;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    return raw.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
}

function bool(env: Env, name: string): boolean {
  const raw = str(env, name);
  if (raw === null) return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

/** proxy-addr's named ranges, as Fastify's trustProxy accepts them. */
const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** TRUST_PROXY: unset/false = none, `true` = any, or a comma-separated list of names, addresses and CIDRs. */
export function parseTrustProxy(raw: string | null): TrustProxy {
  if (raw === null || /^false$/i.test(raw)) return false;
  if (/^true$/i.test(raw)) return true;
  const entries = raw.split(',').map((s) => s.trim());
  for (const entry of entries) {
    if (!isProxyEntry(entry)) {
      throw new ConfigError(
        'TRUST_PROXY',
        `must be true, loopback, linklocal, uniquelocal or a comma-separated list of addresses/CIDRs, got "${entry.slice(0, 80)}"`,
      );
    }
  }
  return entries;
}

function isProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.includes(entry)) return true;
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = net.isIP(address);
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = entry.slice(slash + 1);
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Accepts a Notion id as 32 hex digits, a dashed UUID, or a whole Notion URL, and returns the dashed form. */
export function parseNotionId(raw: string): string | null {
  // Fix: a link to a heading ends in `#fragment`, which hid the id; drop it as well as the query.
  const cleaned = raw.split(/[?#]/)[0] ?? raw;
  const m = /([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})\/?$/i.exec(cleaned);
  if (!m) return null;
  const hex = (m[1] as string).replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function notionId(env: Env, name: string): string {
  const raw = str(env, name);
  if (raw === null) throw new ConfigError(name, 'is required when NOTION_TOKEN is set (run `npx calsync notion init --parent PAGE_ID`)');
  const id = parseNotionId(raw);
  if (!id) throw new ConfigError(name, `must be a Notion database id (32 hex digits, as in its URL), got "${raw}"`);
  return id;
}

export function loadConfig(env: Env = environment()): Config {
  const port = int(env, 'PORT', DEFAULT_PORT, 0, 65535);
  const host = str(env, 'HOST') ?? DEFAULT_HOST;

  const databaseUrl = str(env, 'DATABASE_URL');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }

  const secretsRaw = str(env, 'CAL_WEBHOOK_SECRET');
  let webhookSecrets: string[] | null = null;
  if (secretsRaw !== null) {
    webhookSecrets = secretsRaw.split(',').map((s) => s.trim());
    if (webhookSecrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
      throw new ConfigError('CAL_WEBHOOK_SECRET', `each comma-separated secret must have at least ${MIN_SECRET_LENGTH} characters`);
    }
  }

  const internalApiKey = str(env, 'INTERNAL_API_KEY');
  if (internalApiKey !== null && internalApiKey.length < MIN_API_KEY_LENGTH) {
    throw new ConfigError('INTERNAL_API_KEY', `must have at least ${MIN_API_KEY_LENGTH} characters`);
  }

  const notionToken = str(env, 'NOTION_TOKEN');
  const rps = str(env, 'NOTION_RATE_LIMIT_RPS');
  const rateLimitRps = rps === null ? DEFAULT_NOTION_RATE_LIMIT_RPS : Number(rps);
  if (!Number.isFinite(rateLimitRps) || rateLimitRps <= 0 || rateLimitRps > 100) {
    throw new ConfigError('NOTION_RATE_LIMIT_RPS', `must be a number of requests per second above 0 and at most 100, got "${rps}"`);
  }
  const notionApiUrl = url(env, 'NOTION_API_URL', DEFAULT_NOTION_API_URL);
  const notion: NotionConfig | null =
    notionToken === null
      ? null
      : {
          token: notionToken,
          clientsDatabaseId: notionId(env, 'NOTION_CLIENTS_DATABASE_ID'),
          sessionsDatabaseId: notionId(env, 'NOTION_SESSIONS_DATABASE_ID'),
          apiUrl: notionApiUrl,
          rateLimitRps,
        };

  const logLevel = str(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  return {
    port,
    host,
    dataDir: path.resolve(str(env, 'DATA_DIR') ?? './data'),
    databaseUrl,
    webhookSecrets,
    internalApiKey,
    notion,
    calcom: { apiKey: str(env, 'CALCOM_API_KEY'), apiUrl: url(env, 'CALCOM_API_URL', DEFAULT_CALCOM_API_URL) },
    logLevel,
    logPersonalData: bool(env, 'LOG_PERSONAL_DATA'),
    outboundWebhooksAllowPrivate: bool(env, 'OUTBOUND_WEBHOOKS_ALLOW_PRIVATE'),
    reconcileIntervalMs: int(env, 'RECONCILE_INTERVAL_MINUTES', DEFAULT_RECONCILE_INTERVAL_MINUTES, 0, 24 * 60) * 60_000,
    trustProxy: parseTrustProxy(str(env, 'TRUST_PROXY')),
  };
}
