// The Cal.com API client against the emulator: auth, versions, 429 with Retry-After, retries only where a
// repeat is safe, timeouts, and every failure translated into calsync's error codes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBooking, listBookings } from '../../src/calcom/api/bookings.js';
import { CalcomApiClient } from '../../src/calcom/api/client.js';
import { paceDelayMs, parseResetMs, parseRetryAfterMs, throttleDelayMs } from '../../src/calcom/api/retry-after.js';
import { CalsyncError } from '../../src/errors.js';
import { startCalcomEmulator, type CalcomEmulator } from '../emulators/calcom/index.js';
import { waitRecordingClient } from './harness.js';

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

  it('waits out a 429 that carries only X-RateLimit headers (no Retry-After), then retries (also a POST)', async () => {
    // What Cal.com's throttler really sends.
    calcom.failNext(1, 429, { retryAfterSeconds: 3 });
    const raw = await fetch(`${calcom.url}/v2/bookings`, { headers: { authorization: `Bearer ${calcom.apiKey}`, 'cal-api-version': '2024-08-13' } });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBeNull();
    expect(raw.headers.get('x-ratelimit-remaining-default')).toBe('0');
    expect(raw.headers.get('x-ratelimit-reset-default')).toBe('3');
    calcom.reset();

    const { client, slept } = clientWith();
    calcom.failNext(2, 429, { retryAfterSeconds: 3 });
    await createBooking(client, BOOKING);
    expect(slept).toEqual([3000, 3000]);
    expect(calcom.requests.map((r) => r.status)).toEqual([429, 429, 201]);
    expect(calcom.bookings).toHaveLength(1);
  });

  it('paces below the limit: when X-RateLimit-Remaining runs out it waits for the reset instead of meeting a 429', async () => {
    // The pause is computed as (time of the answer + reset) - (time of the next request), so on the wall
    // clock it is the reset minus the milliseconds spent in between (a wait of 999 was seen once). The
    // client's clock is injected: it stands still except while the client sleeps (and the sleep is real,
    // so the emulator's window has really reset), so the wait asked for is exactly the reported reset.
    const slept: number[] = [];
    let clockMs = Date.now();
    const client = new CalcomApiClient({
      apiKey: calcom.apiKey,
      apiUrl: calcom.url,
      now: () => clockMs,
      sleep: async (ms) => {
        slept.push(ms);
        await new Promise((resolve) => setTimeout(resolve, ms));
        clockMs += ms;
      },
    });
    calcom.setRateLimit({ limit: 2, windowMs: 1000 });
    for (let i = 0; i < 3; i++) await listBookings(client, { take: 1, skip: 0 });
    expect(calcom.requests.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(slept).toEqual([1000]);
  });

  it('reads a reset given as a Unix time the same way', async () => {
    const { client, slept } = waitRecordingClient(calcom);
    calcom.setRateLimit({ limit: 1, windowMs: 1000, resetAs: 'unix' });
    const probe = await fetch(`${calcom.url}/v2/webhooks`, { headers: { authorization: `Bearer ${calcom.apiKey}` } });
    await probe.arrayBuffer();
    expect(Number(probe.headers.get('x-ratelimit-reset-default'))).toBeGreaterThan(1e9);
    calcom.setRateLimit({ limit: 1, windowMs: 1000, resetAs: 'unix' });
    await listBookings(client, { take: 1, skip: 0 });
    await listBookings(client, { take: 1, skip: 0 });
    // The Unix time became a wait of at most the window's rest (rounded up to the second), not decades (which
    // the client would cut to its 60 s bound).
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(0);
    expect(slept[0]).toBeLessThanOrEqual(2_000);
    expect(calcom.requests.map((r) => r.status).filter((s) => s === 429)).toEqual([]);
  });

  it('keeps to 120 requests a minute by default, and answers past it with 429', async () => {
    const headers = { authorization: `Bearer ${calcom.apiKey}`, 'cal-api-version': '2024-08-13' };
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 121; i++) {
      last = await fetch(`${calcom.url}/v2/bookings?take=1`, { headers });
      statuses.push(last.status);
      await last.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(120);
    expect(statuses[120]).toBe(429);
    expect(last?.headers.get('x-ratelimit-limit-default')).toBe('120');
    expect(last?.headers.get('retry-after')).toBeNull();
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

describe('rate-limit headers', () => {
  const now = Date.parse('2031-01-01T00:00:00Z');
  const headers = (h: Record<string, string>) => new Headers(h);

  it('reads X-RateLimit-Reset as seconds to wait or as a Unix time (seconds or milliseconds)', () => {
    expect(parseResetMs('30', now)).toBe(30_000);
    expect(parseResetMs('0', now)).toBe(0);
    expect(parseResetMs(String(now / 1000 + 45), now)).toBe(45_000);
    expect(parseResetMs(String(now + 1_500), now)).toBe(1_500);
    expect(parseResetMs(String(now / 1000 - 10), now)).toBe(0);
    expect(parseResetMs('soon', now)).toBeNull();
    expect(parseResetMs('9'.repeat(40), now)).toBeNull();
    expect(parseResetMs(null, now)).toBeNull();
  });

  it('waits a 429 out by the spent window when there is no Retry-After, and prefers Retry-After when there is one', () => {
    const throttled = { 'x-ratelimit-limit-default': '120', 'x-ratelimit-remaining-default': '0', 'x-ratelimit-reset-default': '42' };
    expect(throttleDelayMs(headers(throttled), now)).toBe(42_000);
    expect(throttleDelayMs(headers({ ...throttled, 'x-ratelimit-reset-default': String(now / 1000 + 7) }), now)).toBe(7_000);
    expect(throttleDelayMs(headers({ ...throttled, 'retry-after': '3' }), now)).toBe(3_000);
    expect(throttleDelayMs(headers({}), now)).toBeNull();
  });

  it('paces only when a window is (nearly) spent', () => {
    const win = (remaining: number) => headers({ 'x-ratelimit-limit-default': '120', 'x-ratelimit-remaining-default': String(remaining), 'x-ratelimit-reset-default': '20' });
    expect(paceDelayMs(win(50), now, 0.02)).toBe(0);
    expect(paceDelayMs(win(3), now, 0.02)).toBe(0);
    expect(paceDelayMs(win(2), now, 0.02)).toBe(20_000);
    expect(paceDelayMs(win(0), now, 0.02)).toBe(20_000);
    expect(paceDelayMs(headers({}), now, 0.02)).toBe(0);
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
