// Which instance drives a sink. Notion's rate limit is per integration, so with several instances on one
// PostgreSQL only one of them may talk to Notion: it holds a session-level advisory lock on a connection
// of its own. If that process dies, PostgreSQL ends the session and frees the lock, and another instance
// takes it at its next check. The embedded store has a single owning process, which is always the leader.
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Store } from '../store/store.js';

export interface Leadership {
  /** Whether this instance drives the sink now; pings the lock's session (or tries to take the lock) at most every checkIntervalMs. */
  check(): Promise<boolean>;
  /** The last known answer, without I/O (checked before every outbound request). */
  isLeader(): boolean;
  /** Gives the lock up (on stop). */
  release(): Promise<void>;
}

export interface LeadershipOptions {
  checkIntervalMs: number;
  /** After losing the lock, wait this long before competing again, so that a healthy instance takes over. */
  reacquireDelayMs: number;
}

export const DEFAULT_LEADERSHIP: LeadershipOptions = { checkIntervalMs: 1_000, reacquireDelayMs: 3_000 };

export const ALWAYS_LEADER: Leadership = {
  check: async () => true,
  isLeader: () => true,
  release: async () => {},
};

export function createLeadership(store: Store, sink: string, log: Logger, options: LeadershipOptions = DEFAULT_LEADERSHIP): Leadership {
  if (store.pgPool === null) return ALWAYS_LEADER;
  return new AdvisoryLockLeadership(store.pgPool, sink, log, options);
}

/** The lock key: the schema is part of it, so instances of different schemas (tests run in parallel) never compete. */
const LOCK_KEY_SQL = `hashtextextended(current_schema() || ':calsync-sink:' || $1::text, 0)`;

class AdvisoryLockLeadership implements Leadership {
  private client: pg.PoolClient | null = null;
  private leader = false;
  private lastCheckMs = 0;
  private lostAtMs = -Infinity;
  private checking: Promise<boolean> | null = null;
  private readonly onClientError = (err: Error) => this.lose('the lock connection failed', err);

  constructor(
    private readonly pool: pg.Pool,
    private readonly sink: string,
    private readonly log: Logger,
    private readonly options: LeadershipOptions,
  ) {}

  isLeader(): boolean {
    return this.leader;
  }

  check(): Promise<boolean> {
    if (Date.now() - this.lastCheckMs < this.options.checkIntervalMs) return Promise.resolve(this.leader);
    this.checking ??= this.runCheck().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  async release(): Promise<void> {
    await this.checking?.catch(() => {});
    const client = this.client;
    this.client = null;
    const wasLeader = this.leader;
    this.leader = false;
    if (!client) return;
    try {
      if (wasLeader) await client.query(`select pg_advisory_unlock(${LOCK_KEY_SQL})`, [this.sink]);
      client.off('error', this.onClientError);
      client.release();
    } catch (err) {
      client.release(err as Error);
    }
  }

  private async runCheck(): Promise<boolean> {
    this.lastCheckMs = Date.now();
    if (this.leader) {
      try {
        // The lock lives as long as the session; a live session means it is still ours.
        await this.client?.query('select 1');
      } catch (err) {
        this.lose('the lock connection stopped answering', err);
      }
      return this.leader;
    }
    if (Date.now() - this.lostAtMs < this.options.reacquireDelayMs) return false;
    try {
      if (!this.client) {
        this.client = await this.pool.connect();
        this.client.on('error', this.onClientError);
      }
      const result = await this.client.query<{ ok: boolean }>(`select pg_try_advisory_lock(${LOCK_KEY_SQL}) as ok`, [this.sink]);
      if (result.rows[0]?.ok === true) {
        this.leader = true;
        this.log.info({ sink: this.sink }, 'this instance now drives the sink (leader)');
      } else {
        this.dropClient(null);
      }
    } catch (err) {
      this.log.warn({ err, sink: this.sink }, 'could not check sink leadership; will try again');
      this.dropClient(err instanceof Error ? err : new Error(String(err)));
    }
    return this.leader;
  }

  private lose(why: string, err: unknown): void {
    const wasLeader = this.leader;
    this.leader = false;
    this.dropClient(err instanceof Error ? err : new Error(String(err)));
    if (wasLeader) {
      this.lostAtMs = Date.now();
      this.log.warn({ err, sink: this.sink }, `lost sink leadership: ${why}`);
    }
  }

  /** Back to the pool when healthy; destroyed when `err` says the connection is broken. */
  private dropClient(err: Error | null): void {
    const client = this.client;
    this.client = null;
    if (!client) return;
    client.off('error', this.onClientError);
    if (err === null) {
      client.release();
      return;
    }
    // A late 'error' from the dead connection must not crash the process.
    client.on('error', () => {});
    client.release(err);
  }
}
