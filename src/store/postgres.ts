// PostgreSQL through pg: several calsync instances may share one database. int8 values (epoch ms) are read
// as numbers; they stay far below 2^53.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, type PostgresQueryResult } from 'kysely';
import type { Database as Schema } from './schema.js';

const INT8_OID = 20;
pg.types.setTypeParser(INT8_OID, (value: string) => Number(value));

export const PG_POOL_SIZE = 10;
const PG_CONNECT_TIMEOUT_MS = 5000;
/**
 * Every query's deadline. Past it the connection is dropped, not reused: on a silent network (a black
 * hole) nothing would ever answer on it. With the 5 s connect deadline (which also bounds the wait for a
 * free pool connection), a request that needs the store answers within 10 s (503 store_unavailable).
 */
export const PG_QUERY_TIMEOUT_MS = 4000;
/** PostgreSQL ends a session idle inside a transaction this long, freeing its locks (a client that vanished). */
const PG_IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;
/** First TCP keepalive probe after this much silence, so a dead peer is noticed without traffic. */
const PG_KEEPALIVE_INITIAL_DELAY_MS = 10_000;

export interface OpenedPostgres {
  db: Kysely<Schema>;
  pool: pg.Pool;
  /** Runs `work` with no query deadline (migrations: DDL on a big table may take minutes). */
  withoutQueryDeadline<T>(work: () => Promise<T>): Promise<T>;
}

export function openPostgres(connectionString: string, options: { queryTimeoutMs?: number } = {}): OpenedPostgres {
  const pool = new pg.Pool({
    connectionString,
    max: PG_POOL_SIZE,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: PG_KEEPALIVE_INITIAL_DELAY_MS,
    idle_in_transaction_session_timeout: PG_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Fix: a client checked out of the pool (mid-transaction) that loses its connection also emits 'error',
  // and the pool listens only to idle clients, so a PostgreSQL restart under load threw an uncaught
  // exception and killed calsync. The failure already rejects the client's query (intake answers 503
  // store_unavailable) and the pool drops the broken client on release, so the event needs no handling.
  pool.on('connect', (client) => client.on('error', () => {}));
  const deadline = { ms: options.queryTimeoutMs ?? PG_QUERY_TIMEOUT_MS as number | null };
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: deadlinePool(pool, () => deadline.ms) }) });
  return {
    db,
    pool,
    async withoutQueryDeadline(work) {
      const saved = deadline.ms;
      deadline.ms = null;
      try {
        return await work();
      } finally {
        deadline.ms = saved;
      }
    },
  };
}

/** The error a query past its deadline fails with (recognised as "store unreachable"). */
export class QueryDeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`PostgreSQL did not answer within the query deadline (${ms} ms); the connection was dropped`);
    this.name = 'QueryDeadlineError';
  }
}

type QueryResult = PostgresQueryResult<unknown>;

/**
 * Kysely's view of the pool, with a deadline on every query. pg's own `query_timeout` only stops waiting:
 * the connection stays busy with the lost query and goes back to the pool, where every later query queues
 * behind it. Here the socket is destroyed instead, so the transaction's ROLLBACK fails at once and the
 * client leaves the pool.
 */
function deadlinePool(pool: pg.Pool, deadlineMs: () => number | null): PostgresPool {
  const prepared = new PreparedStatements();
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let broken: Error | null = null;
      const query = async (sql: string, parameters: readonly unknown[]): Promise<QueryResult> => {
        const ms = deadlineMs();
        const name = prepared.nameFor(sql);
        const running = name === null ? client.query(sql, parameters as unknown[]) : client.query({ name, text: sql, values: parameters as unknown[] });
        if (name !== null) running.catch((err: unknown) => prepared.noteFailure(sql, err));
        if (ms === null) return running as unknown as QueryResult;
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            broken = new QueryDeadlineError(ms);
            destroySocket(client);
            reject(broken);
          }, ms);
        });
        running.catch(() => {});
        try {
          return (await Promise.race([running, expired])) as unknown as QueryResult;
        } finally {
          clearTimeout(timer);
        }
      };
      return {
        // Kysely calls the cursor form only when given a cursor class, which calsync never does.
        query: query as unknown as PostgresPoolClient['query'],
        release: () => client.release(broken ?? undefined),
      };
    },
    end: () => pool.end(),
  };
}

/** Statements run this often become named prepared statements. */
const PREPARE_AFTER_RUNS = 2;
/**
 * Distinct statement texts tracked (and at most prepared on each connection); beyond it, no new ones. The
 * intake's and the workers' hot statements are a few dozen and come first; the bound keeps PostgreSQL's
 * memory for plans (each connection keeps its own) small whatever shapes the admin pages produce.
 */
const MAX_TRACKED_STATEMENTS = 200;
/** Longer texts are never prepared (they are one-off by nature). */
const MAX_PREPARED_TEXT_CHARS = 8_000;
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * Named prepared statements for the statements calsync runs again and again (the intake's look-up and
 * writes, the workers' polls): PostgreSQL then parses and plans each once per connection instead of on every
 * run, which was a large part of its CPU per event (issue 14). pg sends the Parse for a name once per
 * connection and only Bind/Execute afterwards. The name is a hash of the text, so one name never stands for
 * two texts. Bounded: at most MAX_TRACKED_STATEMENTS texts are counted, and only they are ever prepared.
 * Only plain data statements are prepared. If the schema changes under a running pool (another instance
 * migrating), PostgreSQL refuses a prepared statement whose result columns changed ("cached plan must not
 * change result type"): that text is then never prepared again, so the transaction's re-run (intake re-runs
 * a failed batch event by event) goes through unprepared.
 */
class PreparedStatements {
  private readonly seen = new Map<string, { runs: number; name: string | null }>();

  nameFor(text: string): string | null {
    let entry = this.seen.get(text);
    if (entry === undefined) {
      if (this.seen.size >= MAX_TRACKED_STATEMENTS || text.length > MAX_PREPARED_TEXT_CHARS || !PREPARABLE.test(text)) return null;
      entry = { runs: 0, name: null };
      this.seen.set(text, entry);
    }
    entry.runs += 1;
    if (entry.name === null && entry.runs >= PREPARE_AFTER_RUNS) entry.name = 'calsync_' + createHash('sha256').update(text).digest('base64url').slice(0, 32);
    return entry.name;
  }

  noteFailure(text: string, err: unknown): void {
    const e = err as { code?: unknown; message?: unknown } | null;
    if (e?.code === FEATURE_NOT_SUPPORTED && typeof e.message === 'string' && e.message.includes('cached plan')) {
      const entry = this.seen.get(text);
      if (entry) {
        entry.name = null;
        entry.runs = Number.NEGATIVE_INFINITY;
      }
    }
  }
}

/** SQLSTATE of "cached plan must not change result type". */
const FEATURE_NOT_SUPPORTED = '0A000';

function destroySocket(client: pg.PoolClient): void {
  // Not in pg's types; pg-pool itself destroys the stream this way on its connect timeout.
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
