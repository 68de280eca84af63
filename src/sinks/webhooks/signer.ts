// Standard Webhooks signing (https://www.standardwebhooks.com): secrets are `whsec_` + standard base64 of
// the key; `webhook-signature` is `v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`
// keyed with the decoded key. A pure module: no I/O besides the random bytes of a new secret or id.
import crypto from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
/** Standard Webhooks asks for 24 to 64 bytes; 32 is what Svix issues. */
const SECRET_KEY_BYTES = 32;
const MESSAGE_ID_BYTES = 18;
const ENDPOINT_ID_BYTES = 12;

export function generateSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(SECRET_KEY_BYTES).toString('base64');
}

export function newMessageId(): string {
  return `msg_${crypto.randomBytes(MESSAGE_ID_BYTES).toString('base64url')}`;
}

export function newEndpointId(): string {
  return `ep_${crypto.randomBytes(ENDPOINT_ID_BYTES).toString('base64url')}`;
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** `v1,<base64 signature>` of one attempt. */
export function signMessage(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const mac = crypto.createHmac('sha256', secretKey(secret)).update(`${messageId}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers of one attempt; only the timestamp differs between retries. */
export function signatureHeaders(secret: string, messageId: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signMessage(secret, messageId, timestampSeconds, body),
  };
}
