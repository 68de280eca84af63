// Notion's failures, translated once at the boundary into what they mean for a row: retry later, give up on
// this version, or hand the row back untouched. See docs/notion-api.md §2 and §5.
import { APIErrorCode, APIResponseError, isNotionClientError, UnknownHTTPResponseError } from '@notionhq/client';
import { LimiterClosedError } from '../rate-limiter.js';
import type { FailureClass } from '../worker.js';

export class NotLeaderError extends Error {
  constructor() {
    super('this instance no longer drives the Notion sink; request not sent');
    this.name = 'NotLeaderError';
  }
}

/** Raised by our own fetch when Notion did not answer in time (the request was aborted). */
export class NotionTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Notion did not answer within ${timeoutMs} ms`);
    this.name = 'NotionTimeoutError';
  }
}

/** A create or update whose outcome is unknown (timeout, network error, 504) may still land a little later. */
export const AMBIGUOUS_WRITE_RETRY_MIN_MS = 5_000;
/** A wrong token or an unshared database needs a person; retry slowly meanwhile, drop nothing. */
export const ACCESS_PROBLEM_RETRY_MIN_MS = 60_000;

const PERMANENT_CODES = new Set<string>([
  APIErrorCode.ValidationError,
  APIErrorCode.InvalidJSON,
  APIErrorCode.InvalidRequestURL,
  APIErrorCode.InvalidRequest,
]);

/** Notion's own words, which is what a person needs to fix the data: `validation_error: X is not a property that exists.` */
export function notionErrorMessage(err: unknown): string {
  if (APIResponseError.isAPIResponseError(err)) return `${err.code}: ${err.message}`;
  if (UnknownHTTPResponseError.isUnknownHTTPResponseError(err)) return `HTTP ${err.status} from Notion (not a Notion error body)`;
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ? `${err.message} (${cause.code})` : err.message;
  }
  return String(err);
}

export function isValidationError(err: unknown, messageIncludes?: string): boolean {
  return APIResponseError.isAPIResponseError(err) && err.code === APIErrorCode.ValidationError && (messageIncludes === undefined || err.message.includes(messageIncludes));
}

/** How much of a Notion message the trashed-page check reads: the wording sits at its start. */
const TRASHED_MESSAGE_SCAN_CHARS = 200;

/**
 * Notion's refusal to edit (or trash again) a page in the trash. Its documented words are "Can't edit block
 * that is archived"; API 2026-03-11 renamed `archived` to `in_trash`, and the docs read do not say whether the
 * message followed, so "... in trash" (or in_trash) is taken too. Reads only the message's first
 * characters, in lower case, with plain substring checks.
 */
export function isTrashedPageRefusal(err: unknown): boolean {
  if (!isValidationError(err)) return false;
  const text = (err as APIResponseError).message.slice(0, TRASHED_MESSAGE_SCAN_CHARS).toLowerCase().replaceAll('\u2019', "'");
  if (!text.includes("can't edit") && !text.includes('cannot edit')) return false;
  return text.includes('archived') || text.includes('in trash') || text.includes('in the trash') || text.includes('in_trash');
}

export function isObjectNotFound(err: unknown): boolean {
  return APIResponseError.isAPIResponseError(err) && err.code === APIErrorCode.ObjectNotFound;
}

/**
 * Free workspaces with more than one member have a lifetime cap of 1,000 blocks, which the API enforces
 * since 2026-09-08 (after a three-day grace): creates fail, reads and edits go on. The docs read do not give
 * the error body, so any Notion error whose message (or additional_data) speaks of the block limit counts,
 * whatever its code (expected: 400 validation_error). Retrying cannot help until someone upgrades the
 * workspace, so it is a permanent failure that says so.
 */
const BLOCK_LIMIT_PATTERN = /block[ _-]?limit/i;
/** Only the start of an outside message is searched (bounded before the regex). */
const MAX_MATCHED_MESSAGE_CHARS = 500;
export const BLOCK_LIMIT_FAILURE =
  "Notion refused the page: the workspace has reached the Free plan's block limit (1,000 blocks for a Free workspace with more than one member). Upgrade the Notion workspace, then retry the sync; calsync will not retry it by itself";

export function isBlockLimitError(err: unknown): boolean {
  if (!APIResponseError.isAPIResponseError(err)) return false;
  if (BLOCK_LIMIT_PATTERN.test(err.message.slice(0, MAX_MATCHED_MESSAGE_CHARS))) return true;
  const extra = err.additional_data ?? {};
  return Object.values(extra).some((value) =>
    (Array.isArray(value) ? value : [value]).some((v) => typeof v === 'string' && BLOCK_LIMIT_PATTERN.test(v.slice(0, MAX_MATCHED_MESSAGE_CHARS))),
  );
}

export function classifyNotionError(err: unknown): FailureClass {
  const message = notionErrorMessage(err);
  if (err instanceof LimiterClosedError || err instanceof NotLeaderError) return { kind: 'abandon', message };
  if (isBlockLimitError(err)) return { kind: 'permanent', message: `${BLOCK_LIMIT_FAILURE} (${message.slice(0, MAX_MATCHED_MESSAGE_CHARS)})` };
  if (APIResponseError.isAPIResponseError(err)) {
    if (PERMANENT_CODES.has(err.code)) return { kind: 'permanent', message };
    switch (err.code) {
      case APIErrorCode.Unauthorized:
      case APIErrorCode.RestrictedResource:
      case APIErrorCode.ObjectNotFound:
        return { kind: 'transient', message, minDelayMs: ACCESS_PROBLEM_RETRY_MIN_MS };
      case APIErrorCode.GatewayTimeout:
        return { kind: 'transient', message, minDelayMs: AMBIGUOUS_WRITE_RETRY_MIN_MS };
      default:
        // rate_limited and service_overload (after our pauses and re-sends), conflict_error,
        // internal_server_error, service_unavailable, and codes newer than this SDK.
        return { kind: 'transient', message };
    }
  }
  if (UnknownHTTPResponseError.isUnknownHTTPResponseError(err)) {
    // An HTML 502 from the edge, or a status/code this SDK does not know (e.g. missing_version): transient.
    return { kind: 'transient', message, minDelayMs: err.status === 400 ? ACCESS_PROBLEM_RETRY_MIN_MS : 0 };
  }
  if (err instanceof NotionTimeoutError || isNotionClientError(err)) {
    return { kind: 'transient', message, minDelayMs: AMBIGUOUS_WRITE_RETRY_MIN_MS };
  }
  // A network error (fetch failed, connection refused or reset): the request may or may not have arrived.
  if (err instanceof TypeError || isSystemError(err)) return { kind: 'transient', message, minDelayMs: AMBIGUOUS_WRITE_RETRY_MIN_MS };
  // Our own bug or the store failing: retry; never drop the row.
  return { kind: 'transient', message };
}

function isSystemError(err: unknown): boolean {
  return typeof (err as { code?: unknown } | null)?.code === 'string';
}
