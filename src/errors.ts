// Every error calsync answers or logs has one row here: a stable code, an HTTP status and a message.
// Routes never invent ad-hoc errors; foreign errors (SQLite, pg, Notion, Cal.com) are translated once,
// at their boundary, into one of these. test/errors.test.ts checks this table against the README.

export const ERROR_TABLE = {
  invalid_signature: { status: 401, message: 'Missing, malformed or wrong X-Cal-Signature-256 signature' },
  unauthorized: { status: 401, message: 'Missing or wrong bearer key' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON' },
  unsupported_event: { status: 400, message: 'Unsupported trigger event' },
  bad_request: { status: 400, message: 'Bad request' },
  forbidden: { status: 403, message: 'Forbidden' },
  not_found: { status: 404, message: 'Not found' },
  booking_not_found: { status: 404, message: 'No such booking, and the payload does not carry enough to build it' },
  event_not_found: { status: 404, message: 'No such event' },
  appointment_not_found: { status: 404, message: 'No such appointment' },
  sink_not_found: { status: 404, message: 'No such sink' },
  endpoint_not_found: { status: 404, message: 'No such webhook endpoint' },
  payload_too_large: { status: 413, message: 'The request body is larger than 1 MiB' },
  unsupported_media_type: { status: 415, message: 'Content-Type must be application/json' },
  validation_error: { status: 422, message: 'The request failed validation' },
  conflict: { status: 409, message: 'Conflict' },
  rate_limited: { status: 429, message: 'Too many failed attempts from this address; retry after the time in Retry-After' },
  calcom_not_configured: { status: 503, message: 'CALCOM_API_KEY is not set' },
  calcom_api_error: { status: 502, message: 'Cal.com API error' },
  calcom_rejected: { status: 422, message: 'Cal.com refused the request' },
  notion_not_configured: { status: 503, message: 'NOTION_TOKEN is not set' },
  sink_not_configured: { status: 503, message: 'That sink is not switched on' },
  store_unavailable: { status: 503, message: 'The store cannot be reached; try again' },
  internal_error: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export interface ErrorBody {
  status: 'error';
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** An error that maps to one row of ERROR_TABLE. `details` goes into the response (e.g. failing fields). */
export class CalsyncError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERROR_TABLE[code].message);
    this.name = 'CalsyncError';
    this.code = code;
    this.status = ERROR_TABLE[code].status;
    this.details = details;
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { status: 'error', error: { code: this.code, message: this.message } };
    if (this.details !== undefined) body.error.details = this.details;
    return body;
  }
}

export function isCalsyncError(err: unknown): err is CalsyncError {
  return err instanceof CalsyncError;
}
