// The Cal.com API client against the emulator: auth, versions, 429 with Retry-After, retries only where a
// repeat is safe, timeouts, and every failure translated into calsync's error codes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBooking, listBookings } from '../../src/calcom/api/bookings.js';
import { CalcomApiClient } from '../../src/calcom/api/client.js';
import { parseRetryAfterMs } from '../../src/calcom/api/retry-after.js';
import { CalsyncError } from '../../src/errors.js';
import { startCalcomEmulator, type CalcomEmulator } from '../emulators/calcom/index.js';

const BOOKING = { eventTypeId: 1201, start: '2031-08-01T09:00:00Z', attendee: { name: 'Alan Turing', email: 'alan@example.com', timeZone: 'Europe/London' }, metadata: {} };

let calcom: CalcomEmulator;
beforeAll(async () => {
  calcom = await startCalcomEmulator();
});
afterAll(async () => {
  await calcom.close();
});
afterEach(() => calcom.reset());

function clientWith(opts: { apiKey?: string; maxRetryWaitMs?: number } = {}) {
  const slept: number[] = [];
  const client = new CalcomApiClient({
    apiKey: opts.apiKey ?? calcom.apiKey,
    apiUrl: calcom.url,
    ...(opts.maxRetryWaitMs !== undefined ? { maxRetryWaitMs: opts.maxRetryWaitMs } : {}),
    // Recorded, and shortened: the wait asked for is what is checked, not the clock.
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { client, slept };
}

async function failure(p: Promise<unknown>): Promise<CalsyncError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CalsyncError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('CalcomApiClient', () => {
  it('sends the Bearer key and cal-api-version 2024-08-13 on bookings', async () => {
    const { client } = clientWith();
    const booking = await createBooking(client, BOOKING);
    expect(booking).toMatchObject({ status: 'accepted', start: '2031-08-01T09:00:00.000Z', end: '2031-08-01T09:30:00.000Z' });
    const page = await listBookings(client, { take: 10, skip: 0 });
    expect(page.bookings.map((b) => b.uid)).toEqual([booking.uid]);
    expect(calcom.requests.map((r) => r.apiVersion)).toEqual(['2024-08-13', '2024-08-13']);
  });

  it('waits as long as Retry-After says, then retries (also a POST: a 429 was not processed)', async () => {
    const { client, slept } = clientWith();
    calcom.failNext(2, 429, { retryAfterSeconds: 3 });
    await createBooking(client, BOOKING);
    expect(slept).toEqual([3000, 3000]);
    expect(calcom.requests.map((r) => r.status)).toEqual([429, 429, 201]);
    expect(calcom.bookings).toHaveLength(1);
  });

  it('gets through a rate limit by waiting for the window Cal.com names', async () => {
    const slept: number[] = [];
    const client = new CalcomApiClient({
      apiKey: calcom.apiKey,
      apiUrl: calcom.url,
      // Really waits here: the emulator's window has to pass.
      sleep: async (ms) => {
        slept.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
    });
    calcom.setRateLimit({ limit: 2, windowMs: 1000 });
    for (let i = 0; i < 3; i++) await listBookings(client, { take: 1, skip: 0 });
    expect(calcom.requests.map((r) => r.status)).toEqual([200, 200, 429, 200]);
    expect(slept).toEqual([1000]);
  });

  it('does not wait out a Retry-After beyond its limit', async () => {
    const { client, slept } = clientWith({ maxRetryWaitMs: 5_000 });
    calcom.failNext(1, 429, { retryAfterSeconds: 120 });
    const err = await failure(listBookings(client, { take: 1, skip: 0 }));
    expect(err.code).toBe('calcom_api_error');
    expect(slept).toEqual([]);
  });

  it('retries a read after a 503 but never repeats a POST that got a 5xx', async () => {
    const { client } = clientWith();
    calcom.failNext(1, 503, { retryAfterSeconds: 1 });
    await listBookings(client, { take: 1, skip: 0 });
    expect(calcom.requests.map((r) => r.status)).toEqual([503, 200]);

    calcom.failNext(1, 503, { retryAfterSeconds: 1 });
    const err = await failure(createBooking(client, BOOKING));
    expect(err.code).toBe('calcom_api_error');
    expect(err.status).toBe(502);
    expect(calcom.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it("translates Cal.com's 4xx into calcom_rejected with its validation messages", async () => {
    const { client } = clientWith();
    const err = await failure(createBooking(client, { ...BOOKING, attendee: { ...BOOKING.attendee, timeZone: 'Nowhere/Land' } }));
    expect(err.code).toBe('calcom_rejected');
    expect(err.status).toBe(422);
    expect(err.message).toContain('attendee.timeZone must be a valid IANA time zone');
    expect(err.details).toMatchObject({ calcom_status: 400, calcom_code: 'BadRequestException' });
  });

  it('says the API key was refused on 401, without retrying', async () => {
    const { client } = clientWith({ apiKey: 'cal_wrong_key' });
    const err = await failure(listBookings(client, { take: 1, skip: 0 }));
    expect(err.code).toBe('calcom_api_error');
    expect(err.message).toContain('CALCOM_API_KEY');
    expect(err.message).toContain('Invalid API Key');
    expect(calcom.requests).toHaveLength(1);
  });

  it('gives up on a request that gets no answer within its timeout', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const client = new CalcomApiClient({
        apiKey: 'k',
        apiUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        timeoutMs: 200,
        sleep: async () => {},
      });
      const err = await failure(createBooking(client, BOOKING));
      expect(err.code).toBe('calcom_api_error');
      expect(err.message).toContain('no answer within 200 ms');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});

describe('parseRetryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2031-01-01T00:00:00Z');
    expect(parseRetryAfterMs('2', now)).toBe(2000);
    expect(parseRetryAfterMs('0.5', now)).toBe(500);
    expect(parseRetryAfterMs('Wed, 01 Jan 2031 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterMs('soon', now)).toBeNull();
    expect(parseRetryAfterMs(null, now)).toBeNull();
  });
});
