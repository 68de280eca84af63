// Bearer INTERNAL_API_KEY for /api/* (except the webhook alias), compared in constant time.
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CalsyncError } from '../errors.js';
import { bearerAttempt } from './auth-throttle.js';

/** Constant-time equality of two strings of any lengths (hashing first equalises the lengths). */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb) && a.length === b.length;
}

export function bearerTokenOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? (m[1] as string) : null;
}

export function requireBearer(key: () => string) {
  return async function checkBearer(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = bearerTokenOf(request);
    const ok = token !== null && safeEqual(token, key());
    // Wrong keys are counted per client address; a locked-out address gets 429 (src/http/auth-throttle.ts).
    await request.server.authThrottle?.check(request, reply, bearerAttempt(request, ok));
    if (!ok) throw new CalsyncError('unauthorized');
  };
}
