// One delivery attempt: POST the frozen body with fresh Standard Webhooks headers. A 2xx within the timeout
// is success; anything else (3xx included: redirects are not followed), a timeout or a network error is a
// failure with a short reason. node:http, not fetch, so the connection's own address lookup can refuse
// private addresses (address-guard.ts) and nothing follows redirects.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { guardedLookup, hostOf, isPrivateAddress } from './address-guard.js';
import { signatureHeaders } from './signer.js';

export const USER_AGENT = 'calsync-webhooks/1';
/** Reasons are cut to this length before they are stored or logged. */
const MAX_REASON_CHARS = 300;
/** An answer's body is read and dropped up to this size; a longer one closes the connection. */
const MAX_DRAINED_BYTES = 64 * 1024;

export interface DeliveryTarget {
  url: string;
  secret: string;
}

export interface DeliveryMessage {
  messageId: string;
  body: string;
}

export interface AttemptResult {
  ok: boolean;
  /** The HTTP status; null when none came (timeout, network error, refused address). */
  status: number | null;
  error: string | null;
  durationMs: number;
  /** The attempt was cut short by the worker stopping: not the endpoint's fault. */
  aborted: boolean;
}

export interface DeliveryOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  /** Aborts the attempt (the worker is stopping). */
  signal: AbortSignal;
  nowMs: () => number;
  agents: { http: http.Agent; https: https.Agent };
}

export function createAgents(maxSockets: number): { http: http.Agent; https: https.Agent } {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets }),
  };
}

function reason(text: string): string {
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
}

export async function deliverOnce(target: DeliveryTarget, message: DeliveryMessage, options: DeliveryOptions): Promise<AttemptResult> {
  const started = performance.now();
  const done = (partial: Omit<AttemptResult, 'durationMs' | 'aborted'>, aborted = false): AttemptResult => ({
    ...partial,
    durationMs: Math.round(performance.now() - started),
    aborted,
  });
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return done({ ok: false, status: null, error: 'the endpoint URL is not valid' });
  }
  const host = hostOf(url);
  if (!options.allowPrivate && net.isIP(host) !== 0 && isPrivateAddress(host)) {
    return done({ ok: false, status: null, error: reason(`${host} is a private address (OUTBOUND_WEBHOOKS_ALLOW_PRIVATE is not true)`) });
  }
  const timestamp = Math.floor(options.nowMs() / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'content-length': String(Buffer.byteLength(message.body)),
    ...signatureHeaders(target.secret, message.messageId, timestamp, message.body),
  };
  const isHttps = url.protocol === 'https:';
  const transport = isHttps ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const req = transport.request(url, {
      method: 'POST',
      headers,
      agent: isHttps ? options.agents.https : options.agents.http,
      ...(options.allowPrivate ? {} : { lookup: guardedLookup as unknown as net.LookupFunction }),
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish(done({ ok: false, status: null, error: `no answer within ${options.timeoutMs / 1000} s` }));
    }, options.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish(done({ ok: false, status: null, error: 'the worker stopped' }, true));
    };
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const ok = status >= 200 && status < 300;
      // The status decides; the body is drained (so a keep-alive socket can be reused), but only so much of it and so long.
      finish(done({ ok, status, error: ok ? null : status >= 300 && status < 400 ? `answered ${status} (redirects are not followed)` : `answered ${status}` }));
      let bytes = 0;
      const drainTimer = setTimeout(() => res.destroy(), options.timeoutMs);
      drainTimer.unref();
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_DRAINED_BYTES) res.destroy();
      });
      res.on('close', () => clearTimeout(drainTimer));
      res.on('error', () => {});
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      finish(done({ ok: false, status: null, error: reason(err.code === 'EPRIVATEADDRESS' ? err.message : `${err.code ?? 'error'}: ${err.message}`) }));
    });
    req.end(message.body);
  });
}
