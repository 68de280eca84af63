// Small HTTP helpers for suites that post raw webhook bytes and read JSON answers, plus a bounded poll.
import { signPayload } from '../../src/calcom/signature.js';
import { TEST_API_KEY, TEST_WEBHOOK_SECRET, type TestServer } from './server.js';

export interface JsonReply {
  status: number;
  // Answers are checked field by field in tests; their shapes vary by route.
  body: any;
  headers: Headers;
}

/** Posts exact bytes. A Buffer body makes fetch add no Content-Type of its own (a string would get text/plain). */
export async function postRaw(baseUrl: string, path: string, raw: string | Buffer, headers: Record<string, string>): Promise<JsonReply> {
  const res = await fetch(baseUrl + path, { method: 'POST', headers, body: typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw });
  return readJson(res);
}

export async function readJson(res: Response): Promise<JsonReply> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Left as text: the test asserting JSON will say what came back.
  }
  return { status: res.status, body, headers: res.headers };
}

/** Headers Cal.com sends, signed with `secret` over `raw` (or with a given signature value). */
export function signedHeaders(raw: string | Buffer, opts: { secret?: string; signature?: string; contentType?: string | null } = {}): Record<string, string> {
  const headers: Record<string, string> = {
    'x-cal-signature-256': opts.signature ?? signPayload(raw, opts.secret ?? TEST_WEBHOOK_SECRET),
    'x-cal-webhook-version': '2021-10-20',
  };
  if (opts.contentType !== null) headers['content-type'] = opts.contentType ?? 'application/json';
  return headers;
}

/** Signs and posts a JSON body the way Cal.com does (compact JSON). */
export async function sendSigned(server: TestServer, body: unknown, opts: { secret?: string; path?: string } = {}): Promise<JsonReply> {
  const raw = JSON.stringify(body);
  return postRaw(server.url, opts.path ?? '/webhooks/calcom', raw, signedHeaders(raw, { secret: opts.secret }));
}

export async function getJson(server: TestServer, path: string, bearer: string | null = TEST_API_KEY): Promise<JsonReply> {
  const headers: Record<string, string> = bearer === null ? {} : { authorization: `Bearer ${bearer}` };
  return readJson(await fetch(server.url + path, { headers }));
}

/** The appointments the read API finds for a uid. */
export async function appointmentsByUid(server: TestServer, uid: string): Promise<any[]> {
  const reply = await getJson(server, `/api/appointments?calcom_uid=${encodeURIComponent(uid)}`);
  if (reply.status !== 200) throw new Error(`GET /api/appointments?calcom_uid=${uid} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body.appointments;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 5000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
