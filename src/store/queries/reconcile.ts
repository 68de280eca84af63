// What reconciliation reads besides the event log: where calsync's own history starts, and the
// PostgreSQL lock that lets one instance at a time run it.
import { sql } from 'kysely';
import type { Db } from '../store.js';

/** When calsync first recorded anything (ISO), or null on an empty store. */
export async function selectEarliestReceivedAt(db: Db): Promise<string | null> {
  const row = await db.selectFrom('events').select('received_at').orderBy('id').limit(1).executeTakeFirst();
  return row?.received_at ?? null;
}

/**
 * PostgreSQL only, inside a transaction: takes the transaction-scoped advisory lock `name` if no other
 * session holds it. It is released by the transaction's end, or by the server when the session dies.
 * Advisory locks are per database, so the key includes the schema: two calsync deployments in different
 * schemas of one database never block each other.
 */
export async function tryAdvisoryXactLock(db: Db, name: string): Promise<boolean> {
  const result = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(current_schema() || ':' || ${name})) as locked`.execute(db);
  return result.rows[0]?.locked === true;
}
