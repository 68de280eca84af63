// Shared by the operating tests: bounded polling, Prometheus text parsing and admin log-in over plain HTTP.
import { TEST_API_KEY, type TestServer } from '../support/server.js';

const DEFAULT_WAIT_MS = 5000;
const POLL_INTERVAL_MS = 20;

/** Polls until `probe` returns a value other than undefined/false, or fails after the deadline. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** `name{labels} value` lines of a Prometheus text exposition, keyed by `name{labels}` as written. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?(?:\{.*\})?)\s+(\S+)$/.exec(line);
    if (m) out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

export async function scrape(server: TestServer): Promise<Map<string, number>> {
  const res = await fetch(server.url + '/metrics');
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/** Logs in to /admin with a form POST; returns the `Cookie` header value to send back. */
export async function adminLogin(server: TestServer, key = TEST_API_KEY): Promise<{ cookie: string; setCookie: string; response: Response }> {
  const response = await fetch(server.url + '/admin/login', {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key }).toString(),
  });
  const setCookie = response.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0] ?? '', setCookie, response };
}

export async function adminGet(server: TestServer, path: string, cookie: string): Promise<{ status: number; html: string; response: Response }> {
  const response = await fetch(server.url + path, { headers: { cookie }, redirect: 'manual' });
  return { status: response.status, html: await response.text(), response };
}

export function csrfTokenIn(html: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in the page');
  return m[1] as string;
}

export async function adminPost(server: TestServer, path: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.url + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
    body: new URLSearchParams(form).toString(),
  });
}
