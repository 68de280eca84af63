// TRUST_PROXY: X-Forwarded-Proto / X-Forwarded-For count only from a trusted proxy. Behind one that says
// https, the admin cookie is Secure; without TRUST_PROXY the same headers change nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseTrustProxy } from '../../src/config.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../support/server.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function login(s: TestServer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(s.url + '/admin/login', {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ key: TEST_API_KEY }).toString(),
  });
}

function loginIps(s: TestServer): unknown[] {
  return s.logs.filter((l) => l.msg === 'admin login').map((l) => l.ip);
}

describe('TRUST_PROXY', () => {
  it('loopback: a login forwarded as https gets a Secure cookie, and the forwarded client address counts', async () => {
    server = await startTestServer({ env: { TRUST_PROXY: 'loopback' } });
    const res = await login(server, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' });
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^calsync_admin=/);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(loginIps(server)).toEqual(['203.0.113.7']);

    // Plain http through the same proxy: no Secure (the browser would drop the cookie on http).
    const plain = await login(server, { 'x-forwarded-proto': 'http' });
    expect(plain.headers.get('set-cookie') ?? '').not.toMatch(/;\s*Secure/i);
  });

  it('unset: X-Forwarded-Proto and X-Forwarded-For are ignored', async () => {
    server = await startTestServer();
    const res = await login(server, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' });
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^calsync_admin=/);
    expect(cookie).not.toMatch(/;\s*Secure/i);
    expect(loginIps(server)).toEqual(['127.0.0.1']);
  });

  it('a list that does not include the peer is not trusted', async () => {
    server = await startTestServer({ env: { TRUST_PROXY: '10.0.0.0/8, 192.0.2.1' } });
    const res = await login(server, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' });
    expect(res.headers.get('set-cookie') ?? '').not.toMatch(/;\s*Secure/i);
    expect(loginIps(server)).toEqual(['127.0.0.1']);
  });
});

describe('parseTrustProxy', () => {
  it('accepts unset, true, names, addresses and CIDRs', () => {
    expect(parseTrustProxy(null)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('loopback')).toEqual(['loopback']);
    expect(parseTrustProxy('127.0.0.1, 10.0.0.0/8,::1,fd00::/8')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
    expect(loadConfig({}).trustProxy).toBe(false);
  });

  it.each(['yes-please', '10.0.0.0/33', '10.0.0/8', '1.2.3.4,', 'loopback;rm', '::1/129'])('refuses %j naming TRUST_PROXY', (value) => {
    let caught: unknown = null;
    try {
      loadConfig({ TRUST_PROXY: value });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toMatch(/^TRUST_PROXY: /);
    expect((caught as ConfigError).message).not.toContain('\n');
  });
});
