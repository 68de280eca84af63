// Which instance drives a piece of work that only one instance at a time may do (a sink's outbound
// requests): it holds a session-level advisory lock on a PostgreSQL connection of its own. If that process
// dies, PostgreSQL ends the session and frees the lock, and another instance takes it at its next check.
// The embedded store has a single owning process, which is always the leader.
import { sql, type CompiledQuery } from 'kysely';
import type pg from 'pg';
import type { Logger } from 'pino';
import { advisoryKey } from './locks.js';
import type { Db } from './db.js';

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

export interface LeadershipOptions {
  checkIntervalMs: number;
  /** After losing the lock, wait this long before competing again, so that a healthy instance takes over. */
  reacquireDelayMs: number;
}

export const ALWAYS_LEADER: Leadership = {
  check: async () => true,
  isLeader: () => true,
  release: async () => {},
};

export class AdvisoryLockLeadership implements Leadership {
  private client: pg.PoolClient | null = null;
  private leader = false;
  private lastCheckMs = 0;
  private lostAtMs = -Infinity;
  private checking: Promise<boolean> | null = null;
  private readonly onClientError = (err: Error) => this.lose('the lock connection failed', err);

  private readonly unlockSql: CompiledQuery;
  private readonly tryLockSql: CompiledQuery;

  constructor(
    private readonly pool: pg.Pool,
    db: Db,
    private readonly name: string,
    private readonly log: Logger,
    private readonly options: LeadershipOptions,
  ) {
    this.unlockSql = sql`select pg_advisory_unlock(${advisoryKey(name)})`.compile(db);
    this.tryLockSql = sql`select pg_try_advisory_lock(${advisoryKey(name)}) as ok`.compile(db);
  }

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
      if (wasLeader) await client.query(this.unlockSql.sql, [...this.unlockSql.parameters]);
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
      const result = await this.client.query<{ ok: boolean }>(this.tryLockSql.sql, [...this.tryLockSql.parameters]);
      if (result.rows[0]?.ok === true) {
        this.leader = true;
        this.log.info('this instance now drives the sink (leader)');
      } else {
        this.dropClient(null);
      }
    } catch (err) {
      this.log.warn({ err }, 'could not check sink leadership; will try again');
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
      this.log.warn({ err }, `lost sink leadership: ${why}`);
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
