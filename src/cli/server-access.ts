// Reaching a running calsync server from the CLI: its base URL and the bearer key for /api.
import { isSuccess, printAnswer, request } from './http.js';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliIo } from './io.js';
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

export interface ApiCall {
  method: string;
  /** Under the base URL, e.g. /api/events/7/replay. */
  path: string;
  /** Sent as JSON; none when undefined. */
  body?: unknown;
}

/**
 * One call to the server's /api with the bearer key (from --key or the environment): prints the request
 * line and the answer; resolves with the exit status (EXIT_FAILED without a key, before any request).
 */
export async function callServerApi(io: CliIo, env: Env, base: string, keyFlag: string | undefined, call: ApiCall): Promise<number> {
  const key = requireApiKey(keyFlag, env, io);
  if (key === null) return EXIT_FAILED;
  const url = `${base}${call.path}`;
  io.out(`${call.method} ${url}`);
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  const answer =
    call.body === undefined
      ? await request(call.method, url, headers)
      : await request(call.method, url, { ...headers, 'content-type': 'application/json' }, JSON.stringify(call.body));
  printAnswer(io, answer);
  return isSuccess(answer) ? EXIT_OK : EXIT_FAILED;
}
