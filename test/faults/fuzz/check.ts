// The fuzz properties for one request: no 5xx, the contract's JSON shape, and the store changed only as an
// authentic, valid delivery may change it. Requests go through Fastify's inject (the full pipeline without
// sockets) or over real HTTP with exact bytes and headers (node:http, which can repeat a header).
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ERROR_TABLE } from '../../../src/errors.js';
import type { Db } from '../../../src/store/store.js';
import { storeCounts, type StoreCounts } from '../../support/store-peek.js';
import type { FuzzRequest } from './requests.js';

export interface Reply {
  status: number;
  contentType: string;
  text: string;
}

export type Transport = (req: FuzzRequest) => Promise<Reply>;

export function injectTransport(app: FastifyInstance): Transport {
  return async (req) => {
    const res = await app.inject({ method: 'POST', url: req.path, headers: req.headers, payload: req.raw });
    return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), text: res.body };
  };
}

const HTTP_TIMEOUT_MS = 10_000;

export function httpTransport(baseUrl: string): Transport {
  const { hostname, port } = new URL(baseUrl);
  return (req) =>
    new Promise<Reply>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { ...req.headers, 'content-length': req.raw.length };
      const request = http.request({ host: hostname, port: Number(port), method: 'POST', path: req.path, headers, agent: false, timeout: HTTP_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${HTTP_TIMEOUT_MS} ms`)));
      // A server may answer 413 and close before reading a too-large body; the answer still arrives, and
      // a write error after it is not the server's failure.
      request.on('error', (err) => reject(err));
      request.end(req.raw);
    });
}

export class Tally {
  readonly statuses = new Map<string, number>();
  total = 0;

  add(status: number, code: string): void {
    const key = `${status} ${code}`;
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    this.total += 1;
  }

  count(predicate: (status: number) => boolean): number {
    let n = 0;
    for (const [key, v] of this.statuses) if (predicate(Number(key.split(' ')[0]))) n += v;
    return n;
  }

  toString(): string {
    return [...this.statuses.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  }
}

type Json = Record<string, unknown>;
const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);

/** Why `reply` breaks the contract's response shape, or null. Returns the code ('ok' for 2xx). */
export function shapeProblem(reply: Reply): { problem: string | null; code: string; duplicate: boolean } {
  if (reply.status >= 500) return { problem: `answered ${reply.status}`, code: '5xx', duplicate: false };
  if (!/^application\/json\b/.test(reply.contentType)) return { problem: `content-type ${reply.contentType}`, code: '?', duplicate: false };
  let body: Json;
  try {
    body = JSON.parse(reply.text) as Json;
  } catch {
    return { problem: 'body is not JSON', code: '?', duplicate: false };
  }
  if (reply.status === 200) {
    const dupOk = body.duplicate === undefined || body.duplicate === true;
    if (body.status === 'processed' && isInt(body.appointment_id) && typeof body.action === 'string' && isInt(body.event_id) && dupOk) {
      return { problem: null, code: 'processed', duplicate: body.duplicate === true };
    }
    if (body.status === 'skipped' && typeof body.reason === 'string' && isInt(body.event_id) && dupOk) return { problem: null, code: 'skipped', duplicate: body.duplicate === true };
    return { problem: `200 with an unexpected body`, code: '?', duplicate: false };
  }
  const error = body.error as Json | undefined;
  const code = typeof error?.code === 'string' ? error.code : '';
  const row = (ERROR_TABLE as Record<string, { status: number }>)[code];
  if (body.status !== 'error' || !row || typeof error?.message !== 'string') return { problem: 'not the contract error shape', code: '?', duplicate: false };
  if (row.status !== reply.status) return { problem: `code ${code} belongs to ${row.status}`, code, duplicate: false };
  return { problem: null, code, duplicate: false };
}

function delta(before: StoreCounts, after: StoreCounts) {
  return {
    events: after.events - before.events,
    appointments: after.appointments - before.appointments,
    appointmentUids: after.appointmentUids - before.appointmentUids,
  };
}

/** Why the store change after `code` breaks the contract, or null. */
function storeProblem(req: FuzzRequest, status: number, code: string, duplicate: boolean, d: ReturnType<typeof delta>): string | null {
  const within = (v: number, lo: number, hi: number) => v >= lo && v <= hi;
  if (!req.authentic) {
    // Fastify itself refuses an unparseable Content-Type or an oversized body before the route runs; with a
    // plain JSON envelope the only possible refusal is the signature's.
    const allowed = req.plainEnvelope ? ['invalid_signature'] : ['invalid_signature', 'unsupported_media_type', 'payload_too_large'];
    if (status < 400 || !allowed.includes(code)) return `an unauthentic request answered ${status} ${code}`;
    // rejected_deliveries is written after the answer and pruned, so it is checked per property (see noUnsignedRejections).
    if (d.events || d.appointments || d.appointmentUids) return `an unauthentic request changed the store ${JSON.stringify(d)}`;
    return null;
  }
  if (status === 401) return 'an authentic request was refused as invalid_signature';
  if (status === 200) {
    if (duplicate && (d.events || d.appointments)) return `a duplicate changed the store ${JSON.stringify(d)}`;
    if (!within(d.events, 0, 1) || !within(d.appointments, 0, 1)) return `one delivery changed the store by ${JSON.stringify(d)}`;
    return null;
  }
  if (code === 'booking_not_found') {
    return within(d.events, 0, 1) && d.appointments === 0 ? null : `a parked event changed the store by ${JSON.stringify(d)}`;
  }
  if (d.events || d.appointments || d.appointmentUids) return `a refused (${status} ${code}) delivery changed the store ${JSON.stringify(d)}`;
  return null;
}

/** Sends one request and throws (with the case's description) if any property fails. */
export async function checkRequest(req: FuzzRequest, send: Transport, db: Db, tally: Tally, lastError: () => string): Promise<void> {
  const before = await storeCounts(db);
  const reply = await send(req);
  const after = await storeCounts(db);
  const shape = shapeProblem(reply);
  tally.add(reply.status, shape.code);
  const problem = shape.problem ?? storeProblem(req, reply.status, shape.code, shape.duplicate, delta(before, after));
  if (problem) {
    throw new Error(`${problem}\n  case: ${req.label}\n  path: ${req.path} (${req.raw.length} bytes)\n  answer: ${reply.status} ${reply.text.slice(0, 300)}\n  server error log: ${lastError()}`);
  }
}

/**
 * Refused signed deliveries are logged (after the answer, bounded by pruning); a refusal for a bad signature
 * must never be among them, because an unsigned request stores nothing at all.
 */
export async function signatureRefusalsLogged(db: Db): Promise<number> {
  const row = await db
    .selectFrom('rejected_deliveries')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('code', '=', 'invalid_signature')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
