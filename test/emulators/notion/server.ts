// The HTTP pipeline, in the order Notion's edge and API apply it:
// latency → outage → auth → version → rate limit → route → body → injected fault → handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { latencyFor, type Controls } from './controls.js';
import { NotionError, blockLimitReached, bodyFailed, validationError } from './errors.js';
import { DEFAULT_RATE_LIMIT_REASON, cloudflare502, faultError, rateLimited, type PickedFault, type RawResponse } from './faults.js';
import { newId } from './ids.js';
import { isRecord, type JsonObject } from './json.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';
import { API_VERSIONS, matchRoute } from './router.js';
import type { ApiVersion } from './store/records.js';
import type { NotionStore } from './store/state.js';
import { EmulatorClosedError, type Timers } from './timers.js';

/** Notion's whole-payload limit (request-limits page); answered as 400 validation_error (see README). */
export const PAYLOAD_MAX_BYTES = 500 * 1000;

export interface ServerDeps {
  store: NotionStore;
  controls: Controls;
  log: RequestLog;
  timers: Timers;
}

export function createRequestListener(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch(() => res.destroy());
  };
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { controls, log, timers, store } = deps;
  const at = Date.now();
  const requestId = newId();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const rawBody = await readBody(req);
  const versionHeader = headerValue(req, 'notion-version');
  const entry = log.begin({
    requestId,
    method,
    path: url.pathname,
    query: url.search,
    at,
    notionVersion: versionHeader ?? null,
    body: logBody(rawBody),
  });

  try {
    await timers.sleep(latencyFor(controls.latency, controls.latencyRandom));
    if (controls.outage) return send(res, entry, errorResponse(new NotionError('service_unavailable'), requestId), 'outage');

    if (headerValue(req, 'authorization') !== `Bearer ${controls.token}`) throw new NotionError('unauthorized');
    const version = checkVersion(versionHeader);

    if (controls.bucket !== null) {
      const taken = controls.bucket.take();
      if (!taken.ok) throw rateLimited(taken.retryAfterSeconds, controls.bucket.reason ?? DEFAULT_RATE_LIMIT_REASON);
    }

    const match = matchRoute(method, url.pathname, version);
    const body = method === 'GET' ? {} : parseBody(rawBody);

    const fault = controls.faults.pick(method, url.pathname);
    if (fault !== null && fault.kind !== 'write_then_504') return send(res, entry, faultResponse(fault, requestId), fault.kind);
    const ctx = { version, params: match.params, body, query: url.searchParams, store, random: controls.idRandom };
    const run = () => {
      // The Free plan's lifetime block cap: creating a page (a block) is refused once the workspace holds
      // `blockLimit` pages (trashed ones count: deleting does not give capacity back); edits and reads go on.
      if (controls.blockLimit !== null && method === 'POST' && url.pathname === '/v1/pages' && store.pages.size >= controls.blockLimit) {
        throw blockLimitReached();
      }
      return match.handler(ctx);
    };
    if (fault?.kind === 'write_then_504') {
      // The write lands (when valid), then the gateway gives up on the answer: the caller sees a 504
      // for a change that happened, which is why creates must be idempotent (docs §7).
      try {
        run();
      } catch {
        // The gateway answers 504 whatever the origin decided.
      }
      return send(res, entry, errorResponse(faultError({ kind: 'write_then_504' }), requestId), fault.kind);
    }
    return send(res, entry, jsonResponse(200, run(), requestId), null);
  } catch (err) {
    if (err instanceof EmulatorClosedError) {
      res.destroy();
      return;
    }
    if (err instanceof NotionError) return send(res, entry, errorResponse(err, requestId), null);
    // An emulator bug: answer like Notion's 500 but say what broke, so the failing test shows it.
    const message = `Notion emulator bug: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    return send(res, entry, errorResponse(new NotionError('internal_server_error', message), requestId), null);
  }
}

function checkVersion(header: string | undefined): ApiVersion {
  if (header === undefined || header === '') throw new NotionError('missing_version');
  const version = API_VERSIONS.find((v) => v === header);
  if (version === undefined) {
    // (unverified) wording for a version string Notion does not know.
    throw validationError(
      `Notion-Version header failed validation: Notion-Version header should be one of ${API_VERSIONS.map((v) => `\`"${v}"\``).join(', ')}, instead was \`${JSON.stringify(header)}\`.`,
    );
  }
  return version;
}

function parseBody(raw: Buffer): JsonObject {
  if (raw.length > PAYLOAD_MAX_BYTES) {
    throw validationError(`Request body too large: ${raw.length} bytes, the limit is ${PAYLOAD_MAX_BYTES} bytes (500KB).`);
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new NotionError('invalid_json');
  }
  if (!isRecord(parsed)) throw bodyFailed('body', 'an object', parsed);
  return parsed;
}

function faultResponse(fault: PickedFault, requestId: string): RawResponse {
  const { kind } = fault;
  return kind === '502' ? cloudflare502() : errorResponse(faultError({ ...fault, kind }), requestId);
}

function errorResponse(err: NotionError, requestId: string): RawResponse {
  return jsonResponse(err.status, err.toBody(requestId), requestId, err.headers);
}

function jsonResponse(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): RawResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-notion-request-id': requestId, ...headers },
    body: JSON.stringify(body),
  };
}

function send(res: ServerResponse, entry: RequestLogEntry, response: RawResponse, fault: RequestLogEntry['fault']): void {
  entry.status = response.status;
  entry.fault = fault;
  if (res.destroyed) return;
  res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(response.body)) });
  res.end(response.body);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function logBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
