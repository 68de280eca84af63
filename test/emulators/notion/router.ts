// The route table: which endpoints exist in which API version. Anything else is Notion's
// 400 invalid_request_url, including data-source endpoints called with 2022-06-28 (docs §1).
import { NotionError, pathFailed } from './errors.js';
import type { Handler } from './handlers/context.js';
import { createDatabase, queryDatabaseLegacy, retrieveDatabase, updateDatabase } from './handlers/databases.js';
import { createDataSource, queryDataSource, retrieveDataSource, updateDataSource } from './handlers/data-sources.js';
import { listBlockChildren } from './handlers/blocks.js';
import { createPage, retrievePage, updatePage } from './handlers/pages.js';
import { retrieveBotUser } from './handlers/users.js';
import { parseId } from './ids.js';
import type { ApiVersion } from './store/records.js';

export const API_VERSIONS: readonly ApiVersion[] = ['2022-06-28', '2025-09-03', '2026-03-11'];
const ALL = API_VERSIONS;
const DATA_SOURCE_VERSIONS: readonly ApiVersion[] = ['2025-09-03', '2026-03-11'];
/** The database query endpoint is deprecated in 2025-09-03; the emulator answers it as unknown there (unverified). */
const LEGACY_ONLY: readonly ApiVersion[] = ['2022-06-28'];

export type HttpMethod = 'GET' | 'POST' | 'PATCH';

interface Route {
  method: HttpMethod;
  segments: readonly string[];
  versions: readonly ApiVersion[];
  handler: Handler;
}

function route(method: HttpMethod, pattern: string, versions: readonly ApiVersion[], handler: Handler): Route {
  return { method, segments: pattern.split('/').slice(1), versions, handler };
}

const ROUTES: readonly Route[] = [
  route('POST', '/v1/databases', ALL, createDatabase),
  route('GET', '/v1/databases/:database_id', ALL, retrieveDatabase),
  route('PATCH', '/v1/databases/:database_id', ALL, updateDatabase),
  route('POST', '/v1/databases/:database_id/query', LEGACY_ONLY, queryDatabaseLegacy),
  route('POST', '/v1/data_sources', DATA_SOURCE_VERSIONS, createDataSource),
  route('GET', '/v1/data_sources/:data_source_id', DATA_SOURCE_VERSIONS, retrieveDataSource),
  route('PATCH', '/v1/data_sources/:data_source_id', DATA_SOURCE_VERSIONS, updateDataSource),
  route('POST', '/v1/data_sources/:data_source_id/query', DATA_SOURCE_VERSIONS, queryDataSource),
  route('POST', '/v1/pages', ALL, createPage),
  route('GET', '/v1/pages/:page_id', ALL, retrievePage),
  route('PATCH', '/v1/pages/:page_id', ALL, updatePage),
  route('GET', '/v1/users/me', ALL, retrieveBotUser),
  route('GET', '/v1/blocks/:block_id/children', ALL, listBlockChildren),
];

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
}

/** Resolves a request to a handler with validated ids, or throws Notion's error for it. */
export function matchRoute(method: string, pathname: string, version: ApiVersion): RouteMatch {
  const segments = pathname.split('/').slice(1);
  for (const r of ROUTES) {
    if (r.method !== method || !r.versions.includes(version) || r.segments.length !== segments.length) continue;
    const raw: Record<string, string> = {};
    const fits = r.segments.every((s, i) => {
      const actual = segments[i] ?? '';
      if (s.startsWith(':')) {
        raw[s.slice(1)] = safeDecode(actual);
        return actual !== '';
      }
      return s === actual;
    });
    if (!fits) continue;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
      const id = parseId(value);
      if (id === null) throw pathFailed(name, value);
      params[name] = id;
    }
    return { handler: r.handler, params };
  }
  throw new NotionError('invalid_request_url');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
