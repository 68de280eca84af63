// Bearer INTERNAL_API_KEY for /api/* (except the webhook alias), compared in constant time.
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { CalsyncError } from '../errors.js';

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
  return async function checkBearer(request: FastifyRequest): Promise<void> {
    const token = bearerTokenOf(request);
    if (token === null || !safeEqual(token, key())) throw new CalsyncError('unauthorized');
  };
}
