// The Notion client: the official SDK (v5), Notion-Version 2026-03-11, NOTION_API_URL as base.
//
// 2026-03-11 keeps 2025-09-03's data sources and renames `archived` to `in_trash` in requests and answers
// (calsync reads and writes only `in_trash`); it also renames append-children's `after` to `position` and
// the `transcription` block to `meeting_notes`, neither of which calsync uses. The SDK (5.12+) supports it;
// its default is still 2025-09-03, so the version is always passed.
//
// The SDK's automatic retry is switched off (`retry: false`) for the sink:
// - it retries 429s and 529s per request, each request sleeping on its own; a sink running several syncs at
//   once would keep sending its other requests into the limit. Our fetch (limited-fetch.ts) sees every 429
//   and 529 and pauses the whole sink (for Retry-After) instead, and its re-sends take tokens like any
//   request, so the rate stays within NOTION_RATE_LIMIT_RPS;
// - it retries 500/503 only for GET/DELETE and never 409, 502, 504, timeouts or network errors, so the
//   sink needs its own retry anyway: one place (the worker's capped exponential backoff with jitter) for
//   all of them keeps the attempt count and last error on the row, visible through the API;
// - its timeout does not abort the request, which may then land after we gave up; ours aborts it.
import { Client, LogLevel } from '@notionhq/client';
import type { Logger } from 'pino';

/** The one Notion-Version calsync speaks, everywhere (the sink, start-up checks, `calsync notion init`). */
export const NOTION_VERSION = '2026-03-11';
/** The SDK's own timeout is set far beyond ours (limited-fetch.ts), which waits for tokens and pauses too. */
const SDK_TIMEOUT_MS = 24 * 60 * 60_000;

export interface NotionClientOptions {
  token: string;
  apiUrl: string;
  log: Logger;
  /** The sink's rate-limited fetch; absent for one-off commands (init), which keep the SDK's retry. */
  fetch?: (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string | FormData }) => Promise<Response>;
}

export function createNotionClient(options: NotionClientOptions): Client {
  return new Client({
    auth: options.token,
    baseUrl: options.apiUrl,
    notionVersion: NOTION_VERSION,
    ...(options.fetch ? { fetch: options.fetch, retry: false as const, timeoutMs: SDK_TIMEOUT_MS } : {}),
    logLevel: LogLevel.WARN,
    // The SDK logs to the console by default; library code logs through pino.
    logger: (level, message, extraInfo) => {
      const fields = { notion_sdk: extraInfo };
      if (level === LogLevel.ERROR) options.log.error(fields, `notion sdk: ${message}`);
      else options.log.debug(fields, `notion sdk: ${message}`);
    },
  });
}
