// Admin sessions (src/http/admin/session.ts): one row per logged-in browser, keyed by the SHA-256 of its
// cookie's token; expiry in epoch ms.
import type { Db } from '../store.js';

export async function insertAdminSession(db: Db, tokenHash: string, expiresAtMs: number, at: string): Promise<void> {
  await db.insertInto('admin_sessions').values({ token_hash: tokenHash, expires_at_ms: expiresAtMs, created_at: at }).execute();
}

/** The session's expiry (epoch ms) when it exists and has not expired at `nowMs`; else null. */
export async function selectAdminSessionExpiry(db: Db, tokenHash: string, nowMs: number): Promise<number | null> {
  const row = await db
    .selectFrom('admin_sessions')
    .select('expires_at_ms')
    .where('token_hash', '=', tokenHash)
    .where('expires_at_ms', '>', nowMs)
    .executeTakeFirst();
  // pg returns bigint columns as strings.
  return row ? Number(row.expires_at_ms) : null;
}

export async function deleteAdminSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('token_hash', '=', tokenHash).execute();
}

/** Deletes at most `limit` expired sessions (the oldest first); returns how many went. */
export async function deleteExpiredAdminSessions(db: Db, nowMs: number, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('admin_sessions')
    .where('token_hash', 'in', (sub) =>
      sub.selectFrom('admin_sessions').select('token_hash').where('expires_at_ms', '<=', nowMs).orderBy('expires_at_ms').limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
