// Notion's error vocabulary in one table, the way the real API answers it (docs/notion-api.md §5).
// Handlers throw NotionError; server.ts is the only place that turns one into an HTTP answer.
// Messages marked (unverified) are the emulator's best guess at Notion's wording.

export const NOTION_ERROR_TABLE = {
  invalid_json: { status: 400, message: 'Error parsing JSON body.' },
  invalid_request_url: { status: 400, message: 'Invalid request URL.' },
  invalid_request: { status: 400, message: 'Unsupported request.' },
  validation_error: { status: 400, message: 'The request body does not match the schema for the expected parameters.' },
  missing_version: {
    status: 400,
    message: 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
  },
  unauthorized: { status: 401, message: 'API token is invalid.' },
  restricted_resource: { status: 403, message: 'Insufficient permissions for this endpoint.' },
  object_not_found: { status: 404, message: 'Could not find object.' },
  conflict_error: { status: 409, message: 'Conflict occurred while saving. Please try again.' },
  rate_limited: { status: 429, message: 'You have been rate limited. Please try again in a few minutes.' },
  // (unverified) wordings below follow the status-codes page's descriptions.
  internal_server_error: { status: 500, message: 'Unexpected error occurred.' },
  service_unavailable: { status: 503, message: 'Notion is unavailable. Try again later.' },
  gateway_timeout: { status: 504, message: 'Notion timed out while attempting to complete this request. Please try again later.' },
  service_overload: { status: 529, message: 'Notion is currently overloaded. Please try again later.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type NotionErrorCode = keyof typeof NOTION_ERROR_TABLE;

export class NotionError extends Error {
  readonly code: NotionErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Notion's optional `additional_data` (e.g. `rate_limit_reason` on a 429). */
  readonly additionalData: Record<string, string> | undefined;

  constructor(code: NotionErrorCode, message?: string, headers: Record<string, string> = {}, additionalData?: Record<string, string>) {
    super(message ?? NOTION_ERROR_TABLE[code].message);
    this.name = 'NotionError';
    this.code = code;
    this.status = NOTION_ERROR_TABLE[code].status;
    this.headers = headers;
    this.additionalData = additionalData;
  }

  toBody(requestId: string): Record<string, unknown> {
    const body: Record<string, unknown> = { object: 'error', status: this.status, code: this.code, message: this.message, request_id: requestId };
    if (this.additionalData !== undefined) body.additional_data = { ...this.additionalData };
    return body;
  }
}

export type NotFoundKind = 'page' | 'database' | 'data_source';

export function notFound(kind: NotFoundKind, id: string): NotionError {
  return new NotionError(
    'object_not_found',
    `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );
}

export function validationError(message: string): NotionError {
  return new NotionError('validation_error', message);
}

/** Notion renders the offending value JSON-encoded inside backticks, `undefined` included. */
export function showValue(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** "body failed validation: <path> should be <expectation>, instead was `<value>`." */
export function bodyFailed(path: string, expectation: string, actual: unknown): NotionError {
  return validationError(`body failed validation: ${path} should be ${expectation}, instead was \`${showValue(actual)}\`.`);
}

/** Notion lists every alternative of a union it could not match, one per line. */
export function bodyFailedFixOne(paths: readonly string[], actual: unknown): NotionError {
  const lines = paths.map((p) => `${p} should be defined, instead was \`${showValue(actual)}\`.`);
  return validationError(`body failed validation. Fix one:\n${lines.join('\n')}`);
}

export function pathFailed(param: string, actual: string): NotionError {
  return validationError(`path failed validation: path.${param} should be a valid uuid, instead was \`${showValue(actual)}\`.`);
}

/** "<Name> is expected to be <type>." — a property value of the wrong shape for its schema type. */
export function expectedType(name: string, type: string): NotionError {
  return validationError(`${name} is expected to be ${type}.`);
}

export function notAProperty(key: string): NotionError {
  return validationError(`${key} is not a property that exists.`);
}

export const ARCHIVED_EDIT_MESSAGE = "Can't edit block that is archived. You must unarchive the block before editing.";

/**
 * A create refused because the Free workspace used up its lifetime block allowance (enforced by the API since
 * 2026-09-08). The docs read say such writes fail but not with which body: 400 validation_error with this
 * message is the emulator's choice *(unverified)*.
 */
export const BLOCK_LIMIT_MESSAGE =
  'This workspace has reached its block limit. Upgrade the workspace to a paid plan to create more blocks.';

export function blockLimitReached(): NotionError {
  return validationError(BLOCK_LIMIT_MESSAGE);
}

/**
 * 2026-03-11 renamed `archived` to `in_trash` in requests too; the old name is refused *(wording unverified)*.
 * Older versions accept either, `in_trash` winning.
 */
export function trashFlagOf(body: Record<string, unknown>, version: string, path = 'body'): unknown {
  if (version === '2026-03-11' && body.archived !== undefined) {
    throw validationError(`body failed validation: ${path}.archived is not supported in API version 2026-03-11; use ${path}.in_trash instead.`);
  }
  return body.in_trash ?? body.archived;
}

export const MULTIPLE_DATA_SOURCES_MESSAGE = 'Databases with multiple data sources are not supported in this API version.';

/** For Notion features the emulator does not model: fail loudly rather than pretend. */
export function unsupported(what: string): NotionError {
  return validationError(`Notion emulator: ${what} is not supported by the emulator.`);
}
