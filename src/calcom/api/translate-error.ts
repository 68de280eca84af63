// Cal.com API failures become calsync errors here, once. Cal.com answers errors as
// `{status:"error", error:{code:"BadRequestException", message, details:{message:[...]}}}` (NestJS); its own
// message is kept so the person reading ours learns what Cal.com objected to.
import { CalsyncError } from '../../errors.js';
import { isRecord, nonBlank } from '../values.js';

/** What went wrong, for `details` of the calsync error (never the API key). */
export interface CalcomFailure {
  calcom_status: number | null;
  calcom_code: string | null;
  calcom_messages: string[];
  /** Cal.com answered 2xx (it did what was asked) but the body could not be read. */
  calcom_accepted?: true;
}

const MAX_MESSAGE_CHARS = 500;

/** Cal.com's own words for a failed response body (any shape), or null. */
export function calcomMessagesOf(body: unknown): { code: string | null; messages: string[] } {
  if (!isRecord(body)) return { code: null, messages: [] };
  const error = isRecord(body.error) ? body.error : body;
  const code = nonBlank(error.code);
  const messages: string[] = [];
  const details = isRecord(error.details) ? error.details.message : undefined;
  if (Array.isArray(details)) {
    for (const m of details) if (typeof m === 'string' && m.trim()) messages.push(m.trim());
  } else if (typeof details === 'string' && details.trim()) {
    messages.push(details.trim());
  }
  // NestJS puts each validation failure in details.message and a summary in message; prefer the list.
  const message = nonBlank(error.message);
  if (messages.length === 0 && message !== null) messages.push(message);
  return { code, messages };
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/**
 * A non-2xx answer. Cal.com's 4xx about the request itself (validation, unknown event type, slot taken)
 * are the caller's to fix: `calcom_rejected` (422). A refused API key, throttling that outlasted our
 * retries and 5xx are calsync's or Cal.com's problem: `calcom_api_error` (502).
 */
export function calcomHttpError(what: string, status: number, body: unknown): CalsyncError {
  const { code, messages } = calcomMessagesOf(body);
  const said = messages.length > 0 ? clip(messages.join('; ')) : `HTTP ${status}`;
  const details: CalcomFailure = { calcom_status: status, calcom_code: code, calcom_messages: messages.map(clip) };
  if (status === 401 || status === 403) {
    return new CalsyncError('calcom_api_error', `Cal.com refused the API key (CALCOM_API_KEY) for ${what}: ${said}`, details);
  }
  if (status === 429) return new CalsyncError('calcom_api_error', `Cal.com kept rate-limiting ${what}: ${said}`, details);
  if (status >= 400 && status < 500) return new CalsyncError('calcom_rejected', `Cal.com refused ${what}: ${said}`, details);
  return new CalsyncError('calcom_api_error', `Cal.com failed ${what} (HTTP ${status}): ${said}`, details);
}

/** No HTTP answer at all: refused connection, DNS, reset, or our timeout. */
export function calcomNetworkError(what: string, err: unknown, timeoutMs: number): CalsyncError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const timedOut = e?.name === 'TimeoutError' || e?.name === 'AbortError';
  const reason = timedOut ? `no answer within ${timeoutMs} ms` : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err));
  const details: CalcomFailure = { calcom_status: null, calcom_code: null, calcom_messages: [] };
  return new CalsyncError('calcom_api_error', `Cal.com could not be reached for ${what}: ${reason}`, details);
}

/** A 2xx whose body is not what the API documents: Cal.com did what was asked, calsync cannot read how. */
export function calcomShapeError(what: string, problem: string): CalsyncError {
  const details: CalcomFailure = { calcom_status: null, calcom_code: null, calcom_messages: [], calcom_accepted: true };
  return new CalsyncError('calcom_api_error', `Cal.com answered ${what} with an unexpected body: ${clip(problem)}`, details);
}

/** True for calcomShapeError: the request succeeded at Cal.com even though it failed here. */
export function calcomAccepted(err: unknown): boolean {
  return err instanceof CalsyncError && (err.details as CalcomFailure | undefined)?.calcom_accepted === true;
}
