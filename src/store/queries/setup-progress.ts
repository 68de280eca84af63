// How far a fresh installation has got: used to keep reminding the operator until Cal.com is connected.
import type { Db } from '../store.js';

/** True once any webhook was accepted into the event log (whatever its result). */
export async function selectAnyEventExists(db: Db): Promise<boolean> {
  const row = await db.selectFrom('events').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}
