// Bookings through API v2 (version 2024-08-13): create one, and list them page by page.
import type { CalcomApiClient } from './client.js';
import { calcomShapeError } from './translate-error.js';
import {
  apiBookingSchema,
  bookingEnvelopeSchema,
  bookingListSchema,
  BOOKINGS_API_VERSION,
  describeIssues,
  type ApiBooking,
} from './schemas.js';

/** Cal.com's limit on `take` for GET /v2/bookings. */
export const BOOKINGS_PAGE_MAX = 250;

/** The body of POST /v2/bookings, in Cal.com's own names (only what calsync sends). */
export interface CreateBookingInput {
  eventTypeId: number;
  /** ISO 8601 UTC. */
  start: string;
  attendee: { name: string; email: string; timeZone: string; phoneNumber?: string };
  guests?: string[];
  location?: string;
  bookingFieldsResponses?: Record<string, unknown>;
  /** At most 50 keys, keys ≤ 40 chars, string values ≤ 500 chars (Cal.com's validate-metadata). */
  metadata: Record<string, string>;
}

export async function createBooking(client: CalcomApiClient, input: CreateBookingInput): Promise<ApiBooking> {
  const what = 'creating the booking';
  const body = await client.request({ method: 'POST', path: '/v2/bookings', body: input, apiVersion: BOOKINGS_API_VERSION, what });
  const parsed = bookingEnvelopeSchema.safeParse(body);
  if (!parsed.success) throw calcomShapeError(what, describeIssues(parsed.error));
  const data = parsed.data.data;
  return Array.isArray(data) ? (data[0] as ApiBooking) : data;
}

export interface ListBookingsQuery {
  afterUpdatedAt?: string;
  bookingUid?: string;
  sortCreated?: 'asc' | 'desc';
  sortUpdatedAt?: 'asc' | 'desc';
  take: number;
  skip: number;
}

export interface BookingsPage {
  bookings: ApiBooking[];
  /** Items Cal.com returned that calsync cannot read (kept out, reported). */
  unreadable: { index: number; uid: string | null; problem: string }[];
  /** Items on the page, readable or not; fewer than `take` means the last page. */
  returned: number;
  hasNextPage: boolean;
}

export async function listBookings(client: CalcomApiClient, query: ListBookingsQuery): Promise<BookingsPage> {
  const what = 'listing bookings';
  const body = await client.request({
    method: 'GET',
    path: '/v2/bookings',
    query: { ...query },
    apiVersion: BOOKINGS_API_VERSION,
    what,
  });
  const parsed = bookingListSchema.safeParse(body);
  if (!parsed.success) throw calcomShapeError(what, describeIssues(parsed.error));
  const bookings: ApiBooking[] = [];
  const unreadable: BookingsPage['unreadable'] = [];
  parsed.data.data.forEach((item, index) => {
    const one = apiBookingSchema.safeParse(item);
    if (one.success) bookings.push(one.data);
    else {
      const uid = typeof (item as { uid?: unknown } | null)?.uid === 'string' ? (item as { uid: string }).uid : null;
      unreadable.push({ index, uid, problem: describeIssues(one.error) });
    }
  });
  const returned = parsed.data.data.length;
  const hasNextPage = parsed.data.pagination?.hasNextPage ?? returned >= query.take;
  return { bookings, unreadable, returned, hasNextPage };
}
