// What reconciliation reads besides the event log: where calsync's own history starts. (The lock that lets
// one instance at a time run it is the store's: src/store/locks.ts.)
import type { Db } from '../store.js';

/** When calsync first recorded anything (ISO), or null on an empty store. */
export async function selectEarliestReceivedAt(db: Db): Promise<string | null> {
  const row = await db.selectFrom('events').select('received_at').orderBy('id').limit(1).executeTakeFirst();
  return row?.received_at ?? null;
}
