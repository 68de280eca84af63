// Guessing INTERNAL_API_KEY is throttled per client address: after 10 wrong admin logins or bearer keys in a
// minute, that address gets 429 rate_limited with Retry-After (right key or not) until the window ends;
// other addresses, and right keys, are not slowed down by it.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { CalsyncError } from '../../src/errors.js';
import { installErrorHandlers } from '../../src/http/error-handler.js';
import { AUTH_THROTTLE_DEFAULTS, installAuthThrottle } from '../../src/http/auth-throttle.js';
import { TEST_API_KEY, type TestServer, useTestServer } from '../support/server.js';

const WRONG_KEY = 'csk_wrong_key_000000000000000';
const BUDGET = AUTH_THROTTLE_DEFAULTS.failureBudget;

async function login(s: TestServer, key: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(s.url + '/admin/login', {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ key }).toString(),
  });
}

async function bearer(s: TestServer, key: string | null, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(s.url + '/api/appointments', { headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers } });
}

/** Sends `count` requests in concurrent waves of 50 and returns their statuses in order, bodies drained. */
async function statuses(count: number, send: (i: number) => Promise<Response>): Promise<Response[]> {
  const out: Response[] = [];
  for (let i = 0; i < count; i += 50) {
    const wave = await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => send(i + j)));
    out.push(...wave);
  }
  return out;
}

function tally(responses: Response[]): Record<number, number> {
  const t: Record<number, number> = {};
  for (const r of responses) t[r.status] = (t[r.status] ?? 0) + 1;
  return t;
}

describe('auth throttle over HTTP (TRUST_PROXY=loopback, addresses from X-Forwarded-For)', () => {
  const server = useTestServer({ env: { TRUST_PROXY: 'loopback' } });

  it('300 wrong logins: the first 10 are answered 401, the rest 429 with Retry-After; another address still logs in', async () => {
    const attacker = { 'x-forwarded-for': '203.0.113.66' };
    const replies = await statuses(300, () => login(server, WRONG_KEY, attacker));
    expect(tally(replies)).toEqual({ 401: BUDGET, 429: 300 - BUDGET });
    const limited = replies.find((r) => r.status === 429) as Response;
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.text()).toMatch(/retry in \d+ s/);

    // The locked-out address gets 429 even with the right key (else a hit would stand out).
    expect((await login(server, TEST_API_KEY, attacker)).status).toBe(429);
    expect((await bearer(server, TEST_API_KEY, attacker)).status).toBe(429);

    // Another address is not slowed down.
    const friend = { 'x-forwarded-for': '198.51.100.7' };
    const ok = await login(server, TEST_API_KEY, friend);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('set-cookie') ?? '').toMatch(/^calsync_admin=/);
    expect((await bearer(server, TEST_API_KEY, friend)).status).toBe(200);
  });

  it('300 wrong bearer keys: 401 then 429 rate_limited (JSON) with Retry-After; right keys elsewhere still work', async () => {
    const attacker = { 'x-forwarded-for': '203.0.113.77' };
    const replies = await statuses(300, () => bearer(server, WRONG_KEY, attacker));
    expect(tally(replies)).toEqual({ 401: BUDGET, 429: 300 - BUDGET });
    const limited = replies.find((r) => r.status === 429) as Response;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await limited.json()) as { status: string; error: { code: string } };
    expect(body).toMatchObject({ status: 'error', error: { code: 'rate_limited' } });

    expect((await bearer(server, TEST_API_KEY, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(200);
  });

  it('right keys and requests without a key are not counted as failures', async () => {
    const client = { 'x-forwarded-for': '198.51.100.9' };
    const right = await statuses(60, () => bearer(server, TEST_API_KEY, client));
    expect(tally(right)).toEqual({ 200: 60 });
    const keyless = await statuses(60, () => bearer(server, null, client));
    expect(tally(keyless)).toEqual({ 401: 60 });
    const wrong = await statuses(BUDGET, () => bearer(server, WRONG_KEY, client));
    expect(tally(wrong)).toEqual({ 401: BUDGET });
    expect((await bearer(server, TEST_API_KEY, client)).status).toBe(429);
  });
});

describe('auth throttle without TRUST_PROXY', () => {
  const server = useTestServer();

  it('a forged X-Forwarded-For does not give each guess a fresh budget', async () => {
    const replies = await statuses(40, (i) => login(server, WRONG_KEY, { 'x-forwarded-for': `203.0.113.${i + 1}` }));
    expect(tally(replies)).toEqual({ 401: BUDGET, 429: 40 - BUDGET });
  });
});

describe('the window ends (short limits, a bare Fastify)', () => {
  let app: FastifyInstance | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('an address locked out gets through again once its window has passed, with a fresh budget', async () => {
    const WINDOW_MS = 400;
    app = Fastify();
    installErrorHandlers(app);
    await installAuthThrottle(app, { failureBudget: 3, windowMs: WINDOW_MS });
    app.get('/guess', async (request, reply) => {
      const right = (request.query as { key?: string }).key === 'right';
      await request.server.authThrottle?.check(request, reply, right ? 'ok' : 'wrong');
      if (!right) throw new CalsyncError('unauthorized');
      return { ok: true };
    });
    const guess = async (key: string) => (await app!.inject({ method: 'GET', url: `/guess?key=${key}` })).statusCode;
    expect([await guess('no'), await guess('no'), await guess('no')]).toEqual([401, 401, 401]);
    expect(await guess('no')).toBe(429);
    expect(await guess('right')).toBe(429);
    const deadline = Date.now() + 10_000;
    let status = 429;
    while (status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await guess('right');
    }
    expect(status).toBe(200);
    expect([await guess('no'), await guess('no'), await guess('no'), await guess('no')]).toEqual([401, 401, 401, 429]);
  });
});
