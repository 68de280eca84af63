// Verifies Cal.com's X-Cal-Signature-256 header. Pure: raw bytes, header value and secrets in, a verdict out,
// so it can be tested with fixed vectors and used by any transport (Fastify route, CLI replay, bench).
//
// Cal.com sends lowercase hex HMAC-SHA256 of the exact body string, no prefix, or the literal
// `no-secret-provided` when the webhook has no secret (docs/calcom-webhooks.md §2).

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `minified`: only the compact re-serialisation matched; `signedBody` is those bytes, the only ones the
 * signature covers. The received bytes may differ in meaning-free ways an attacker chose (a duplicate key
 * whose first value JSON.parse drops), so what is stored and shown must be `signedBody`, never the raw body.
 */
export type SignatureResult =
  | { ok: true; secretIndex: number; variant: 'raw' }
  | { ok: true; secretIndex: number; variant: 'minified'; signedBody: Buffer }
  | { ok: false; reason: 'missing' | 'no_secret_provided' | 'malformed' | 'mismatch' };

/**
 * The minified fallback parses and re-serialises an unsigned body; above this size it is not attempted
 * (Cal.com bodies are a few KiB; an unsigned 1 MiB pretty-printed body would cost tens of ms of parsing).
 */
export const MINIFIED_FALLBACK_MAX_BYTES = 256 * 1024;

const NO_SECRET_LITERAL = 'no-secret-provided';
/** Tolerated because other senders (GitHub-style proxies, test tools) prefix it. */
const PREFIX_RE = /^sha256=/i;
const HEX_SHA256_RE = /^[0-9a-f]{64}$/i;

export function signPayload(raw: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(raw).digest('hex');
}

export function verifyCalSignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  secrets: readonly string[],
): SignatureResult {
  const value = headerValue(header);
  if (value === undefined) return { ok: false, reason: 'missing' };
  if (value === null) return { ok: false, reason: 'malformed' };
  if (value.toLowerCase() === NO_SECRET_LITERAL) return { ok: false, reason: 'no_secret_provided' };

  const hex = value.replace(PREFIX_RE, '');
  if (!HEX_SHA256_RE.test(hex)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(hex, 'hex');

  // An empty key would make the HMAC computable by anyone, so a blank entry (e.g. a trailing comma in
  // CAL_WEBHOOK_SECRET) must never verify anything.
  const usable = secrets.map((s, i) => ({ secret: s, index: i })).filter((s) => s.secret.length > 0);
  if (usable.length === 0) return { ok: false, reason: 'mismatch' };

  const rawMatch = firstMatch(rawBody, expected, usable);
  if (rawMatch !== null) return { ok: true, secretIndex: rawMatch, variant: 'raw' };

  // Some proxies re-format JSON bodies; Cal.com signed the compact JSON.stringify output, which we can
  // rebuild. Only attempted after the exact bytes failed, so a correct sender never pays for a parse.
  const minified = rawBody.length <= MINIFIED_FALLBACK_MAX_BYTES ? minify(rawBody) : null;
  if (minified !== null) {
    const minMatch = firstMatch(minified, expected, usable);
    if (minMatch !== null) return { ok: true, secretIndex: minMatch, variant: 'minified', signedBody: minified };
  }
  return { ok: false, reason: 'mismatch' };
}

/** undefined = no header; null = ambiguous (several values); else the trimmed value. */
function headerValue(header: string | string[] | undefined): string | undefined | null {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) {
    if (header.length === 0) return undefined;
    // Two signature headers on one request is not something Cal.com does; refuse to pick one.
    if (header.length > 1) return null;
    return headerValue(header[0]);
  }
  const trimmed = header.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * Compares against every secret without stopping early, so the time taken does not reveal which
 * position in the rotation list matched.
 */
function firstMatch(
  body: Buffer,
  expected: Buffer,
  secrets: readonly { secret: string; index: number }[],
): number | null {
  let matched: number | null = null;
  for (const { secret, index } of secrets) {
    const actual = createHmac('sha256', secret).update(body).digest();
    const equal = actual.length === expected.length && timingSafeEqual(actual, expected);
    if (equal && matched === null) matched = index;
  }
  return matched;
}

function minify(rawBody: Buffer): Buffer | null {
  const text = rawBody.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const minified = JSON.stringify(parsed);
  // Already compact: the raw pass covered these exact bytes.
  if (minified === text) return null;
  return Buffer.from(minified, 'utf8');
}
