// The API v2 routes the emulator serves. A route returns its answer plus the webhook events the change causes;
// the server writes the answer first and only then queues the events, as Cal.com sends webhooks after saving.

import { ApiError, badRequest } from './http.js';
import { bookingOutput, webhookOutput } from './output.js';
import { queryBookings } from './booking-query.js';
import type { CalcomState, PendingEvent } from './state.js';
import type { WebhookStore } from './webhook-store.js';
import { parseCreateBooking, parseListBookingsQuery, parseWebhookInput, type WebhookInput } from './validation.js';

export const BOOKINGS_API_VERSION = '2024-08-13';

export interface RouteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface RouteResult {
  status: number;
  body: unknown;
  events?: PendingEvent[];
}

export interface RouteEnv {
  state: CalcomState;
  hooks: WebhookStore;
  now: () => Date;
}

type Handler = (req: RouteRequest, params: string[], env: RouteEnv) => RouteResult;

interface Route {
  method: string;
  pattern: RegExp;
  /** Routes that need `cal-api-version: 2024-08-13`. */
  versioned: boolean;
  handler: Handler;
}

function requireVersion(req: RouteRequest): void {
  const version = req.headers['cal-api-version'];
  if (version !== BOOKINGS_API_VERSION) {
    // Real Cal.com falls back to the 2024-04-15 bookings API without this header; the emulator does not
    // implement that version, so it refuses loudly rather than answer in a shape the client does not expect.
    throw badRequest([
      `cal-api-version header must be ${BOOKINGS_API_VERSION} (got ${String(version ?? 'none')}); ` +
        'the emulator implements only that bookings API version',
    ]);
  }
}

function ok(status: number, data: unknown, events?: PendingEvent[]): RouteResult {
  return { status, body: { status: 'success', data }, events };
}

function optionalString(body: unknown, key: string): string | undefined {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  if (v !== undefined && typeof v !== 'string') throw badRequest([`${key} must be a string`]);
  return v;
}

const listBookings: Handler = (req, _p, { state, now }) => {
  const q = parseListBookingsQuery(req.query);
  const { items, total } = queryBookings(state.bookings, q, now().getTime());
  return {
    status: 200,
    body: {
      status: 'success',
      data: items.map((b) => bookingOutput(state, b)),
      pagination: {
        totalItems: total,
        remainingItems: Math.max(0, total - q.skip - items.length),
        returnedItems: items.length,
        itemsPerPage: q.take,
        currentPage: Math.floor(q.skip / q.take) + 1,
        totalPages: Math.ceil(total / q.take),
        hasNextPage: q.skip + items.length < total,
        hasPreviousPage: q.skip > 0,
      },
    },
  };
};

const createBooking: Handler = (req, _p, { state }) => {
  const { booking, event } = state.create(parseCreateBooking(req.body), 'api');
  return ok(201, bookingOutput(state, booking), [event]);
};

const cancelBooking: Handler = (req, [uid], { state }) => {
  const event = state.cancel(uid!, { reason: optionalString(req.body, 'cancellationReason') });
  return ok(200, bookingOutput(state, state.booking(uid!)), [event]);
};

const rescheduleBooking: Handler = (req, [uid], { state }) => {
  const start = optionalString(req.body, 'start');
  if (start === undefined) throw badRequest(['start must be a valid ISO 8601 date string']);
  const { booking, event } = state.reschedule(uid!, start, {
    reason: optionalString(req.body, 'reschedulingReason'),
    rescheduledBy: optionalString(req.body, 'rescheduledBy'),
  });
  return ok(201, bookingOutput(state, booking), [event]);
};

const listWebhooks: Handler = (req, _p, { hooks }) => {
  const take = Number(req.query.get('take') ?? '250');
  const skip = Number(req.query.get('skip') ?? '0');
  if (!Number.isInteger(take) || take < 1 || take > 250) {
    throw badRequest(['take must be an integer between 1 and 250']);
  }
  if (!Number.isInteger(skip) || skip < 0) throw badRequest(['skip must be a non-negative integer']);
  return ok(200, hooks.webhooks.slice(skip, skip + take).map(webhookOutput));
};

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/v2\/bookings$/, versioned: true, handler: listBookings },
  { method: 'POST', pattern: /^\/v2\/bookings$/, versioned: true, handler: createBooking },
  {
    method: 'GET',
    pattern: /^\/v2\/bookings\/([^/]+)$/,
    versioned: true,
    handler: (_r, [uid], { state }) => ok(200, bookingOutput(state, state.booking(uid!))),
  },
  { method: 'POST', pattern: /^\/v2\/bookings\/([^/]+)\/cancel$/, versioned: true, handler: cancelBooking },
  { method: 'POST', pattern: /^\/v2\/bookings\/([^/]+)\/reschedule$/, versioned: true, handler: rescheduleBooking },
  { method: 'GET', pattern: /^\/v2\/webhooks$/, versioned: false, handler: listWebhooks },
  {
    method: 'POST',
    pattern: /^\/v2\/webhooks$/,
    versioned: false,
    handler: (req, _p, { hooks }) =>
      ok(201, webhookOutput(hooks.add(parseWebhookInput(req.body, false) as WebhookInput))),
  },
  {
    method: 'GET',
    pattern: /^\/v2\/webhooks\/([^/]+)$/,
    versioned: false,
    handler: (_r, [id], { hooks }) => ok(200, webhookOutput(hooks.get(id!))),
  },
  {
    method: 'PATCH',
    pattern: /^\/v2\/webhooks\/([^/]+)$/,
    versioned: false,
    handler: (req, [id], { hooks }) => ok(200, webhookOutput(hooks.update(id!, parseWebhookInput(req.body, true)))),
  },
  {
    method: 'DELETE',
    pattern: /^\/v2\/webhooks\/([^/]+)$/,
    versioned: false,
    handler: (_r, [id], { hooks }) => ok(200, webhookOutput(hooks.remove(id!))),
  },
];

export function route(req: RouteRequest, env: RouteEnv): RouteResult {
  let pathMatched = false;
  for (const r of ROUTES) {
    const m = r.pattern.exec(req.path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== req.method) continue;
    if (r.versioned) requireVersion(req);
    return r.handler(req, m.slice(1).map(decodeURIComponent), env);
  }
  throw new ApiError(pathMatched ? 405 : 404, `Cannot ${req.method} ${req.path}`);
}
