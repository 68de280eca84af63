// Admin sessions as signed cookies: `sid.expiresMs.mac`, the MAC keyed by a key derived from
// INTERNAL_API_KEY. Why signed rather than a server-side table: several instances sharing one PostgreSQL
// all accept a session without shared state, and changing INTERNAL_API_KEY ends every session everywhere.
// The cookie never holds the key itself. Logging out clears the cookie and revokes its id on the instance
// that served the logout (a copy replayed elsewhere still expires after SESSION_TTL_MS).
//
// CSRF: the cookie is SameSite=Strict, so other sites' forms arrive without it; on top of that every form
// carries a token derived from the session id (HMAC, so no server state), checked on every POST.
import crypto from 'node:crypto';
import { safeEqual } from '../bearer-auth.js';

export const SESSION_COOKIE = 'calsync_admin';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const SESSION_KEY_CONTEXT = 'calsync admin session v1';

export interface AdminSession {
  sid: string;
  expiresMs: number;
  csrfToken: string;
}

export class AdminSessions {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly internalApiKey: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh session: the cookie value to set and the session it stands for. */
  issue(): { cookie: string; session: AdminSession } {
    const sid = crypto.randomBytes(18).toString('base64url');
    const expiresMs = this.now() + SESSION_TTL_MS;
    const body = `${sid}.${expiresMs}`;
    return { cookie: `${body}.${this.mac(body)}`, session: this.sessionOf(sid, expiresMs) };
  }

  /** The session a cookie value stands for, or null if it is forged, expired or logged out. */
  verify(cookie: string | undefined): AdminSession | null {
    if (!cookie) return null;
    const m = /^([A-Za-z0-9_-]{24})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(cookie);
    if (!m) return null;
    const [, sid, exp, mac] = m as unknown as [string, string, string, string];
    if (!safeEqual(mac, this.mac(`${sid}.${exp}`))) return null;
    const expiresMs = Number(exp);
    if (expiresMs <= this.now() || this.revoked.has(sid)) return null;
    return this.sessionOf(sid, expiresMs);
  }

  revoke(session: AdminSession): void {
    const now = this.now();
    for (const [sid, exp] of this.revoked) if (exp <= now) this.revoked.delete(sid);
    this.revoked.set(session.sid, session.expiresMs);
  }

  csrfValid(session: AdminSession, token: unknown): boolean {
    return typeof token === 'string' && safeEqual(token, session.csrfToken);
  }

  private sessionOf(sid: string, expiresMs: number): AdminSession {
    return { sid, expiresMs, csrfToken: this.mac(`csrf.${sid}`) };
  }

  private mac(text: string): string {
    const key = crypto.createHmac('sha256', this.internalApiKey()).update(SESSION_KEY_CONTEXT).digest();
    return crypto.createHmac('sha256', key).update(text).digest('base64url');
  }
}
