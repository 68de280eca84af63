// Admin sessions, kept in the store so that logging out and expiry hold across restarts and across every
// instance sharing a PostgreSQL database. The cookie is `token.mac`: a random token, and a MAC of it keyed by
// a key derived from INTERNAL_API_KEY, so a forged or stale-key cookie is refused without a query and
// changing INTERNAL_API_KEY ends every session everywhere. The store holds only the SHA-256 of the token (a
// copy of the table does not log anyone in) and its expiry; logging out deletes the row. Expired rows are
// purged a bounded batch at a time, on each login.
//
// CSRF: the cookie is SameSite=Strict, so other sites' forms arrive without it; on top of that every form
// carries a token derived from the session (HMAC, so no extra state), checked on every POST.
import crypto from 'node:crypto';
import {
  deleteAdminSession,
  deleteExpiredAdminSessions,
  insertAdminSession,
  selectAdminSessionExpiry,
} from '../../store/queries/admin-sessions.js';
import type { Db } from '../../store/store.js';
import { safeEqual } from '../bearer-auth.js';

export const SESSION_COOKIE = 'calsync_admin';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const SESSION_KEY_CONTEXT = 'calsync admin session v2';
/** Expired rows deleted per login: enough to keep up with any real login rate, bounded per request. */
const EXPIRED_PURGE_BATCH = 100;
const COOKIE_RE = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

export interface AdminSession {
  /** SHA-256 of the cookie's token (hex): the row's key. */
  sid: string;
  expiresMs: number;
  csrfToken: string;
}

export class AdminSessions {
  constructor(
    private readonly db: () => Db,
    private readonly internalApiKey: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh session, stored: the cookie value to set and the session it stands for. */
  async issue(): Promise<{ cookie: string; session: AdminSession }> {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = this.now();
    const sid = hashToken(token);
    const expiresMs = now + SESSION_TTL_MS;
    await deleteExpiredAdminSessions(this.db(), now, EXPIRED_PURGE_BATCH);
    await insertAdminSession(this.db(), sid, expiresMs, new Date(now).toISOString());
    return { cookie: `${token}.${this.mac(token)}`, session: this.sessionOf(sid, expiresMs) };
  }

  /** The session a cookie value stands for, or null if it is forged, expired or logged out (anywhere). */
  async verify(cookie: string | undefined): Promise<AdminSession | null> {
    if (!cookie) return null;
    const m = COOKIE_RE.exec(cookie);
    if (!m) return null;
    const [, token, mac] = m as unknown as [string, string, string];
    if (!safeEqual(mac, this.mac(token))) return null;
    const sid = hashToken(token);
    const expiresMs = await selectAdminSessionExpiry(this.db(), sid, this.now());
    return expiresMs === null ? null : this.sessionOf(sid, expiresMs);
  }

  async revoke(session: AdminSession): Promise<void> {
    await deleteAdminSession(this.db(), session.sid);
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

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
