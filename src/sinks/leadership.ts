// Which instance drives a sink. Notion's rate limit is per integration, so with several instances on one
// PostgreSQL only one of them may talk to Notion: the store's leadership (src/store/leadership.ts, a
// session-level lock on PostgreSQL, always this instance on the embedded store) decides which.
import type { Logger } from 'pino';
import type { Leadership, LeadershipOptions } from '../store/leadership.js';
import type { Store } from '../store/store.js';

export { ALWAYS_LEADER, type Leadership, type LeadershipOptions } from '../store/leadership.js';

export const DEFAULT_LEADERSHIP: LeadershipOptions = { checkIntervalMs: 1_000, reacquireDelayMs: 3_000 };

/** The lock name of a sink's leadership (the key tests and operators look up in pg_locks). */
export function sinkLeadershipName(sink: string): string {
  return `calsync-sink:${sink}`;
}

export function createLeadership(store: Store, sink: string, log: Logger, options: LeadershipOptions = DEFAULT_LEADERSHIP): Leadership {
  return store.leadership(sinkLeadershipName(sink), log.child({ sink }), options);
}
