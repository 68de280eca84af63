// The one door to Cal.com's API v2: Bearer key, `cal-api-version` where an endpoint needs it, a timeout
// on every request, pacing below the rate limit (120 requests a minute per API key: when an answer's
// X-RateLimit-Remaining-* runs low, the next request waits for X-RateLimit-Reset-*), and waiting out a 429
// (Cal.com sends no Retry-After; its reset header says how long). Every failure leaves as a CalsyncError
// (translate-error.ts); nothing above this file sees a fetch Response or a Cal.com error body.
import type { Logger } from 'pino';
import { paceDelayMs, throttleDelayMs } from './retry-after.js';
import { calcomHttpError, calcomNetworkError, calcomShapeError } from './translate-error.js';

export const CALCOM_REQUEST_TIMEOUT_MS = 15_000;
/** Attempts per request when Cal.com throttles (429) or, for reads, fails transiently. */
export const CALCOM_MAX_ATTEMPTS = 5;
/** A Retry-After longer than this is not waited out: the caller gets an error instead of a hung request. */
export const CALCOM_MAX_RETRY_WAIT_MS = 60_000;
/** Backoff when a 429 names no wait, or a read fails with 5xx/network: 500 ms, 1 s, 2 s, ... */
const FALLBACK_BACKOFF_BASE_MS = 500;
const FALLBACK_BACKOFF_MAX_MS = 8_000;
const TRANSIENT_STATUSES = new Set([502, 503, 504]);
/** Share of a window kept in hand: with 120 a minute, requests pause once 2 are left until the window resets. */
export const CALCOM_PACE_RESERVE_FRACTION = 0.02;

export interface CalcomClientOptions {
  apiKey: string;
  /** Base URL without `/v2`, e.g. https://api.cal.com (CALCOM_API_URL). */
  apiUrl: string;
  log?: Logger;
  timeoutMs?: number;
  maxAttempts?: number;
  maxRetryWaitMs?: number;
  /** Injected for tests that record the waits. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface CalcomRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under the base URL, starting with /v2/. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** `cal-api-version` header; the bookings endpoints need 2024-08-13. */
  apiVersion?: string;
  /** What this request does, for error messages ("creating the booking"). */
  what: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CalcomApiClient {
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** Epoch ms before which no request starts: the window an earlier answer reported as (nearly) spent. */
  private pausedUntilMs = 0;

  constructor(private readonly options: CalcomClientOptions) {
    this.timeoutMs = options.timeoutMs ?? CALCOM_REQUEST_TIMEOUT_MS;
    this.maxAttempts = options.maxAttempts ?? CALCOM_MAX_ATTEMPTS;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? CALCOM_MAX_RETRY_WAIT_MS;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  get baseUrl(): string {
    return this.options.apiUrl;
  }

  /** The parsed JSON body of a 2xx answer. */
  async request(req: CalcomRequest): Promise<unknown> {
    const url = this.urlOf(req);
    // Only reads are retried after a 5xx or a network error: a POST that failed that way may have
    // happened at Cal.com, and repeating it could book twice. A 429 means it was not processed.
    const idempotent = req.method === 'GET';
    for (let attempt = 1; ; attempt++) {
      await this.waitForWindow(req);
      let response: Response;
      try {
        response = await fetch(url, {
          method: req.method,
          headers: this.headersOf(req),
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          redirect: 'error',
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        const failure = calcomNetworkError(req.what, err, this.timeoutMs);
        if (idempotent && attempt < this.maxAttempts) {
          await this.backOff(req, attempt, this.fallbackDelayMs(attempt), failure.message);
          continue;
        }
        throw failure;
      }
      const body = await readBody(response);
      // A 429 is waited out below (its reset is the wait); any other answer sets the pace of the next request.
      if (response.status !== 429) this.notePace(response.headers);
      if (response.ok) {
        if (body === undefined) throw calcomShapeError(req.what, 'the body is not JSON');
        return body;
      }
      const error = calcomHttpError(req.what, response.status, body);
      if (attempt < this.maxAttempts && response.status === 429) {
        const wait = throttleDelayMs(response.headers, this.now()) ?? this.fallbackDelayMs(attempt);
        if (wait > this.maxRetryWaitMs) throw error;
        await this.backOff(req, attempt, wait, 'rate limited (429)');
        continue;
      }
      if (idempotent && attempt < this.maxAttempts && TRANSIENT_STATUSES.has(response.status)) {
        const wait = throttleDelayMs(response.headers, this.now()) ?? this.fallbackDelayMs(attempt);
        if (wait > this.maxRetryWaitMs) throw error;
        await this.backOff(req, attempt, wait, `HTTP ${response.status}`);
        continue;
      }
      throw error;
    }
  }

  /** Holds the request while the rate-limit window an earlier answer reported is (nearly) spent. */
  private async waitForWindow(req: CalcomRequest): Promise<void> {
    const waitMs = this.pausedUntilMs - this.now();
    if (waitMs <= 0) return;
    // Bounded like a Retry-After: a window longer than that is not waited for here.
    const boundedMs = Math.min(waitMs, this.maxRetryWaitMs);
    this.options.log?.info({ calcom_path: req.path, wait_ms: boundedMs }, 'Cal.com rate limit nearly spent; pacing until the window resets');
    const target = this.pausedUntilMs;
    await this.sleep(boundedMs);
    // The window has reset (or the wait was cut short, and a 429 will say how much is left), unless another
    // answer meanwhile reported a later one.
    if (this.pausedUntilMs === target) this.pausedUntilMs = 0;
  }

  private notePace(headers: Headers): void {
    const now = this.now();
    const waitMs = paceDelayMs(headers, now, CALCOM_PACE_RESERVE_FRACTION);
    if (waitMs > 0) this.pausedUntilMs = Math.max(this.pausedUntilMs, now + waitMs);
  }

  private urlOf(req: CalcomRequest): string {
    const url = new URL(this.options.apiUrl.replace(/\/+$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  private headersOf(req: CalcomRequest): Record<string, string> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (req.apiVersion) headers['cal-api-version'] = req.apiVersion;
    return headers;
  }

  private fallbackDelayMs(attempt: number): number {
    return Math.min(FALLBACK_BACKOFF_MAX_MS, FALLBACK_BACKOFF_BASE_MS * 2 ** (attempt - 1));
  }

  private async backOff(req: CalcomRequest, attempt: number, waitMs: number, reason: string): Promise<void> {
    this.options.log?.warn({ calcom_path: req.path, attempt, wait_ms: waitMs, reason }, 'Cal.com request will be retried');
    await this.sleep(waitMs);
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
