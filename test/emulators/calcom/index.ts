// A small Cal.com API v2 emulator for tests: bookings (2024-08-13), webhooks CRUD, injected 429/5xx, and the
// signed webhooks real Cal.com sends after each booking change, including the ways they go wrong (lost,
// reschedule with a new uid, metadata echoed back). See test/emulators/calcom/README.md.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SampleOptions, SampleTrigger } from '../../../src/calcom/samples.js';
import { CALCOM_DEFAULT_RATE_LIMIT, FaultInjector, type RateLimit } from './faults.js';
import { ApiError, readJsonBody, sendError, sendJson } from './http.js';
import { bookingOutput, webhookOutput, type BookingOutput, type WebhookOutput } from './output.js';
import { route } from './routes.js';
import { CalcomState, type EmulatorEventType, type EmulatorHost, type PendingEvent } from './state.js';
import { parseCreateBooking, type CreateBookingInput } from './validation.js';
import { WebhookStore } from './webhook-store.js';
import { WebhookSender, type CalcomDelivery, type DeliveryMode } from './webhook-sender.js';

export type { BookingOutput, WebhookOutput } from './output.js';
export type { EmulatorEventType, EmulatorHost } from './state.js';
export type { CreateBookingInput } from './validation.js';
export type { CalcomDelivery, DeliveryMode } from './webhook-sender.js';
export type { RateLimit } from './faults.js';

export const DEFAULT_EMULATOR_API_KEY = 'cal_test_0123456789abcdef0123456789abcdef';

export const DEFAULT_EVENT_TYPES: EmulatorEventType[] = [
  { id: 1201, slug: '30min', title: '30 Min Meeting', lengthInMinutes: 30, lengthInMinutesOptions: [30, 60] },
  { id: 1202, slug: 'consultation', title: 'Consultation', lengthInMinutes: 60, requiresConfirmation: true },
];

export const DEFAULT_HOST: EmulatorHost = {
  id: 7,
  name: 'Dana Whitfield',
  email: 'dana@studio.example.com',
  username: 'dana',
  timeZone: 'Europe/Berlin',
};

export interface CalcomEmulatorOptions {
  /** The key clients must send as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  eventTypes?: EmulatorEventType[];
  host?: EmulatorHost;
  /** Clock for createdAt/updatedAt, the upcoming/past split and the rate-limit window. */
  now?: () => Date;
  /** Makes booking uids deterministic (`makeBookingUid(`${seed}:${id}`)`); default random. */
  seed?: string;
  port?: number;
  /** Cal.com's throttler; default 120 requests a minute (as for an API key), `null` for none. */
  rateLimit?: RateLimit | null;
}

export interface ApiRequestRecord {
  method: string;
  /** Path with query string. */
  url: string;
  status: number;
  apiVersion?: string;
}

interface SendOption {
  /** false: change the booking without any webhook (Cal.com paths that skip them, or a silent change). */
  sendWebhook?: boolean;
}

export interface CalcomEmulator {
  /** Base URL without `/v2`, like `https://api.cal.com` (CALCOM_API_URL). */
  readonly url: string;
  readonly apiKey: string;
  close(): Promise<void>;
  /** Clears bookings, webhooks, logs and injected faults. */
  reset(): void;

  readonly bookings: BookingOutput[];
  getBooking(uid: string): BookingOutput | undefined;
  readonly webhooks: WebhookOutput[];
  readonly requests: readonly ApiRequestRecord[];
  readonly deliveries: readonly CalcomDelivery[];
  flushDeliveries(): Promise<void>;
  setWebhookDelivery(mode: DeliveryMode): void;

  /** Someone books on the Cal.com page: BOOKING_CREATED (or BOOKING_REQUESTED if the event type needs confirmation). */
  createBookingDirect(input: CreateBookingInput & SendOption): BookingOutput;
  /** Host confirms a pending booking: BOOKING_CREATED. */
  confirmBooking(uid: string, opts?: SendOption): BookingOutput;
  rejectBooking(uid: string, opts?: { reason?: string } & SendOption): BookingOutput;
  cancelBooking(
    uid: string,
    opts?: { reason?: string; cancelledBy?: string; requestReschedule?: boolean } & SendOption,
  ): BookingOutput;
  /** New booking with a new uid; the old one becomes cancelled with rescheduledToUid. Returns the NEW booking. */
  rescheduleBooking(
    uid: string,
    newStart: string,
    opts?: { reason?: string; rescheduledBy?: string } & SendOption,
  ): BookingOutput;
  markNoShow(uid: string, noShow?: boolean, opts?: SendOption): BookingOutput;
  /** The MEETING_STARTED/ENDED cron: flat body by default, as Cal.com sends it. */
  sendMeetingEvent(
    uid: string,
    trigger: 'MEETING_STARTED' | 'MEETING_ENDED',
    opts?: { meetingForm?: 'flat' | 'nested' },
  ): void;
  /** The dashboard's "Ping test" to one webhook, whatever its triggers. */
  ping(webhookId: string): void;
  /** Any sample body to every active webhook subscribed to `trigger`. */
  emit(trigger: SampleTrigger, options?: SampleOptions): void;

  setRateLimit(limit: RateLimit | null): void;
  /**
   * The next `n` API requests fail with `status`: 429 as Cal.com's throttler sends it (x-ratelimit-* headers with
   * reset = retryAfterSeconds, no Retry-After), 503 with Retry-After.
   */
  failNext(n: number, status?: number, opts?: { retryAfterSeconds?: number }): void;
  /** Every API request fails with `status` until `setFault(null)`. */
  setFault(status: number | null): void;
}

const NO_AUTH_MESSAGE =
  "No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as " +
  "'x-cal-secret-key' and 'x-cal-client-id' headers";

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1]?.trim();
}

export async function startCalcomEmulator(opts: CalcomEmulatorOptions = {}): Promise<CalcomEmulator> {
  const apiKey = opts.apiKey ?? DEFAULT_EMULATOR_API_KEY;
  const now = opts.now ?? (() => new Date());
  const state = new CalcomState(opts.eventTypes ?? DEFAULT_EVENT_TYPES, opts.host ?? DEFAULT_HOST, now, opts.seed);
  const hooks = new WebhookStore(state.host.id);
  const sender = new WebhookSender(() => hooks.webhooks);
  const faults = new FaultInjector(() => now().getTime(), opts.rateLimit === undefined ? CALCOM_DEFAULT_RATE_LIMIT : opts.rateLimit);
  const requests: ApiRequestRecord[] = [];

  const emitAll = (events: PendingEvent[] | undefined, send = true): void => {
    if (send) for (const e of events ?? []) sender.enqueue(e);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const version = req.headers['cal-api-version'];
    const record: ApiRequestRecord = {
      method: req.method ?? 'GET',
      url: url.pathname + url.search,
      status: 0,
      ...(typeof version === 'string' ? { apiVersion: version } : {}),
    };
    requests.push(record);
    let extraHeaders: Record<string, string> = {};
    try {
      extraHeaders = faults.check();
      const key = bearer(req);
      if (key === undefined) {
        throw new ApiError(401, NO_AUTH_MESSAGE);
      }
      if (key !== apiKey) throw new ApiError(401, 'Invalid API Key');
      const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readJsonBody(req);
      const result = route(
        { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body },
        { state, hooks, now },
      );
      record.status = result.status;
      sendJson(res, result.status, result.body, extraHeaders);
      emitAll(result.events);
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError(500, 'Internal server error');
      record.status = apiErr.status;
      sendError(res, url.pathname, apiErr, extraHeaders);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const out = (uid: string): BookingOutput => bookingOutput(state, state.booking(uid));
  // Controls called from test code throw plain Errors (with the API's message) rather than answering HTTP.
  const direct = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ApiError) throw new Error(`Cal.com emulator: ${err.message}`);
      throw err;
    }
  };

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    close: async () => {
      await sender.flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    reset: () => {
      state.reset();
      hooks.reset();
      sender.reset();
      faults.reset();
      requests.length = 0;
    },
    get bookings() {
      return state.bookings.map((b) => bookingOutput(state, b));
    },
    getBooking: (uid) => {
      const b = state.bookings.find((x) => x.uid === uid);
      return b ? bookingOutput(state, b) : undefined;
    },
    get webhooks() {
      return hooks.webhooks.map(webhookOutput);
    },
    requests,
    deliveries: sender.deliveries,
    flushDeliveries: () => sender.flush(),
    setWebhookDelivery: (mode) => {
      sender.mode = mode;
    },
    createBookingDirect: (input) =>
      direct(() => {
        const { sendWebhook, ...rest } = input;
        const { booking, event } = state.create(parseCreateBooking(rest), 'direct');
        emitAll([event], sendWebhook !== false);
        return bookingOutput(state, booking);
      }),
    confirmBooking: (uid, o = {}) =>
      direct(() => {
        emitAll([state.confirm(uid)], o.sendWebhook !== false);
        return out(uid);
      }),
    rejectBooking: (uid, o = {}) =>
      direct(() => {
        emitAll([state.reject(uid, o.reason)], o.sendWebhook !== false);
        return out(uid);
      }),
    cancelBooking: (uid, o = {}) =>
      direct(() => {
        emitAll([state.cancel(uid, o)], o.sendWebhook !== false);
        return out(uid);
      }),
    rescheduleBooking: (uid, newStart, o = {}) =>
      direct(() => {
        const { booking, event } = state.reschedule(uid, newStart, o);
        emitAll([event], o.sendWebhook !== false);
        return bookingOutput(state, booking);
      }),
    markNoShow: (uid, noShow = true, o = {}) =>
      direct(() => {
        emitAll([state.markNoShow(uid, noShow)], o.sendWebhook !== false);
        return out(uid);
      }),
    sendMeetingEvent: (uid, trigger, o = {}) =>
      direct(() => {
        const options = state.sampleOptions(state.booking(uid));
        sender.enqueue({ trigger, options: { ...options, meetingForm: o.meetingForm ?? 'flat' } });
      }),
    ping: (webhookId) =>
      direct(() => {
        sender.enqueueTo(hooks.get(webhookId), 'PING', { createdAt: now().toISOString() });
      }),
    emit: (trigger, options = {}) => sender.enqueue({ trigger, options }),
    setRateLimit: (limit) => faults.setRateLimit(limit),
    failNext: (n, status = 429, o = {}) => faults.failNext(n, status, o.retryAfterSeconds ?? 1),
    setFault: (status) => faults.setFault(status),
  };
}
