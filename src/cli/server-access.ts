// Reaching a running calsync server from the CLI: its base URL and the bearer key for /api.
import { UsageError, type CliIo } from './io.js';
import { baseUrlOf, defaultBaseUrl, internalApiKey } from './settings.js';

type Env = Record<string, string | undefined>;

export function baseUrlArg(raw: string | undefined, env: Env, command: string): string {
  const value = raw ?? defaultBaseUrl(env);
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return baseUrlOf(value);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${value}"`, command);
  }
}

/** The key, or null after saying where to put one. */
export function requireApiKey(flag: string | undefined, env: Env, io: CliIo): string | null {
  const key = flag ?? internalApiKey(env, io.cwd);
  if (key) return key;
  io.err('calsync: no API key: pass --key, or set INTERNAL_API_KEY (environment or .env)');
  return null;
}
