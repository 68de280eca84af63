// PostgreSQL through pg: several calsync instances may share one database. int8 values (epoch ms) are read
// as numbers; they stay far below 2^53.
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
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let broken: Error | null = null;
      const query = async (sql: string, parameters: readonly unknown[]): Promise<QueryResult> => {
        const ms = deadlineMs();
        const running = client.query(sql, parameters as unknown[]);
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

function destroySocket(client: pg.PoolClient): void {
  // Not in pg's types; pg-pool itself destroys the stream this way on its connect timeout.
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
