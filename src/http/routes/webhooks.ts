// POST /webhooks/calcom (alias /api/cal/handle-cal-event): verify the signature over the raw bytes, then
// parse, then validate, then store durably, and only then answer 2xx.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyCalSignature, type SignatureResult } from '../../calcom/signature.js';
import { WEBHOOK_VERSION_HEADER, webhookVersionOf } from '../../calcom/webhook-version.js';
import { CalsyncError } from '../../errors.js';
import type { Intake } from '../../intake/intake.js';
import { incomingEvent, readDelivery } from '../../intake/incoming.js';
import type { RejectionLog } from '../../intake/rejection-log.js';
import type { IntakeObserver } from '../../intake/observer.js';
import { intakeResponse, intakeStatusCode } from '../intake-response.js';

export const WEBHOOK_PATHS = ['/webhooks/calcom', '/api/cal/handle-cal-event'] as const;
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
const SIGNATURE_HEADER = 'x-cal-signature-256';
/** Longest trigger or booking uid put into a log line (real ones are far shorter). */
const LOGGED_VALUE_CHARS = 100;
/** Request headers worth keeping with the event (never the signature itself). */
const KEPT_HEADERS = ['content-type', 'user-agent', 'x-cal-webhook-version', 'x-request-id'];

export interface WebhookDeps {
  intake: Intake;
  webhookSecrets: () => readonly string[];
  rejections: RejectionLog;
  observer: IntakeObserver;
}

export async function webhookRoutes(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  // The signature covers the exact bytes, so this context takes every body raw and parses it itself.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));
  // A body over the limit is refused before the handler runs; it is still a refused delivery, so count it.
  app.addHook('onError', async (_request, _reply, error) => {
    if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') deps.observer.rejected(null, 'payload_too_large');
  });
  for (const path of WEBHOOK_PATHS) {
    app.post(path, { bodyLimit: WEBHOOK_BODY_LIMIT_BYTES }, (request, reply) => handleWebhook(request, reply, deps));
  }
}

async function handleWebhook(request: FastifyRequest, reply: FastifyReply, deps: WebhookDeps) {
  const started = process.hrtime.bigint();
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const signature = verifySafely(raw, request.headers[SIGNATURE_HEADER], deps.webhookSecrets());
  if (!signature.ok) {
    deps.observer.signatureFailed(signature.reason);
    const userAgent = request.headers['user-agent'];
    deps.rejections.recordRefusedSignature({ reason: signature.reason, sourceIp: request.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent : null, rawBody: raw });
    // Nothing of an unsigned body is trusted or logged, not even its trigger.
    request.log.info({ result: 'rejected', code: 'invalid_signature', reason: signature.reason, duration_ms: elapsedMs(started) }, 'webhook');
    throw new CalsyncError('invalid_signature', signatureMessage(signature.reason));
  }

  let trigger: string | null = null;
  try {
    const contentType = String(request.headers['content-type'] ?? '');
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
      throw new CalsyncError('unsupported_media_type', `Content-Type must be application/json, got "${contentType.slice(0, 80)}"`);
    }
    const version = webhookVersionOf(request.headers[WEBHOOK_VERSION_HEADER]);
    if (!version.ok) {
      const issue = { path: `headers.${WEBHOOK_VERSION_HEADER}`, message: version.message };
      throw new CalsyncError('validation_error', `X-Cal-Webhook-Version ${version.message}`, { issues: [issue] });
    }
    // What the signature covers: the received bytes, or the minified form when only that matched.
    const text = (signature.variant === 'minified' ? signature.signedBody : raw).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new CalsyncError('invalid_json');
    }
    // Only logged and counted: a real trigger name is short, an attacker's may be a megabyte.
    trigger = typeof (body as { triggerEvent?: unknown } | null)?.triggerEvent === 'string' ? (body as { triggerEvent: string }).triggerEvent.slice(0, LOGGED_VALUE_CHARS) : null;
    const unstorable = mayBeUnstorable(text) ? unstorableJson(body) : null;
    if (unstorable) {
      throw new CalsyncError('validation_error', `Invalid delivery: ${unstorable.path || '(body)'} ${unstorable.message}`, { issues: [unstorable] });
    }
    const parsed = readDelivery(body);
    const incoming = {
      ...incomingEvent(parsed, { source: 'webhook', rawBody: text, headers: keptHeaders(request, signature.variant, signature.secretIndex) }),
      webhookVersion: version.version,
    };
    const outcome = await deps.intake.submit(incoming);
    const ms = elapsedMs(started);
    deps.observer.accepted(parsed.trigger, outcome, ms);
    request.log.info(
      { trigger: parsed.trigger, uid: incoming.bookingUid?.slice(0, LOGGED_VALUE_CHARS), result: outcome.status, duplicate: outcome.duplicate, event_id: outcome.eventId, duration_ms: ms },
      'webhook',
    );
    return reply.code(intakeStatusCode(outcome)).send(intakeResponse(outcome));
  } catch (err) {
    if (err instanceof CalsyncError && err.status < 500) {
      deps.observer.rejected(trigger, err.code);
      const uid = bookingUidOf(request.body);
      deps.rejections.record(trigger, err.code, err.message, uid);
      request.log.info({ trigger, uid, result: 'rejected', code: err.code, duration_ms: elapsedMs(started) }, 'webhook');
    }
    throw err;
  }
}

/**
 * Fix: the minified-body fallback re-serialises the body recursively, so a deeply nested body threw
 * RangeError and answered 500 even unsigned. A body that cannot be re-serialised cannot match that way.
 */
function verifySafely(raw: Buffer, header: string | string[] | undefined, secrets: readonly string[]): SignatureResult {
  try {
    return verifyCalSignature(raw, header, secrets);
  } catch {
    return { ok: false, reason: 'mismatch' };
  }
}

/** Far deeper than any Cal.com body (about six levels); recursive code further on must never meet more. */
const MAX_JSON_DEPTH = 64;
const OPENING_BRACKETS = ['{', '['] as const;

interface Walked {
  value: unknown;
  depth: number;
  parent: Walked | null;
  key: string | number | null;
}

/**
 * Fix: what the rest of intake cannot take used to answer 500: nesting deep enough to overflow the stack
 * of recursive code (dedup keys, storing the event), and NUL characters, which PostgreSQL text cannot
 * hold. Found here, iteratively, and refused as 422 with the field's path.
 */
function unstorableJson(value: unknown): { path: string; message: string } | null {
  const stack: Walked[] = [{ value, depth: 0, parent: null, key: null }];
  while (stack.length > 0) {
    const node = stack.pop() as Walked;
    if (node.depth > MAX_JSON_DEPTH) return { path: pathOf(node), message: `nests deeper than ${MAX_JSON_DEPTH} levels` };
    const v = node.value;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { path: pathOf(node), message: 'must not contain a NUL character' };
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, depth: node.depth + 1, parent: node, key: i }));
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        if (key.includes('\u0000')) return { path: pathOf(node), message: 'must not have a key with a NUL character' };
        stack.push({ value: item, depth: node.depth + 1, parent: node, key });
      }
    }
  }
  return null;
}

/**
 * A cheap look at the text that clears almost every body without walking it: JSON text can hold a NUL only
 * as the escape \u0000, and it cannot nest deeper than the number of brackets it opens. When this cannot
 * clear the body, `unstorableJson` decides exactly (and finds the path).
 */
function mayBeUnstorable(text: string): boolean {
  if (text.includes('\\u0000')) return true;
  // Counted with indexOf, a native scan: a loop over every character cost ~10 µs on a 2.8 KB body.
  let opened = 0;
  for (const bracket of OPENING_BRACKETS) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) {
      if (++opened > MAX_JSON_DEPTH) return true;
    }
  }
  return false;
}

function pathOf(node: Walked): string {
  const keys: (string | number)[] = [];
  for (let n: Walked | null = node; n && n.key !== null; n = n.parent) keys.unshift(n.key);
  return keys.slice(0, MAX_JSON_DEPTH / 8).join('.') + (keys.length > MAX_JSON_DEPTH / 8 ? '...' : '');
}

/** Milliseconds since `started`, to one decimal. */
function elapsedMs(started: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
}

function signatureMessage(reason: 'missing' | 'no_secret_provided' | 'malformed' | 'mismatch'): string {
  switch (reason) {
    case 'missing':
      return 'X-Cal-Signature-256 header is missing';
    case 'no_secret_provided':
      return 'The webhook has no secret in Cal.com (signature "no-secret-provided"); set the secret calsync printed';
    case 'malformed':
      return 'X-Cal-Signature-256 is not a hex HMAC-SHA256';
    case 'mismatch':
      return 'X-Cal-Signature-256 does not match the body with any configured secret';
  }
}

function keptHeaders(request: FastifyRequest, variant: string, secretIndex: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const v = request.headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  out['signature-variant'] = variant;
  out['signature-secret-index'] = String(secretIndex);
  return out;
}

function bookingUidOf(body: unknown): string | null {
  if (!Buffer.isBuffer(body)) return null;
  const m = /"(?:uid|bookingUid)"\s*:\s*"([^"]{1,64})"/.exec(body.toString('utf8', 0, Math.min(body.length, 65536)));
  return m ? (m[1] as string) : null;
}
