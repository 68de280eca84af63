// PostgreSQL through pg: several calsync instances may share one database. int8 values (epoch ms) are read
// as numbers; they stay far below 2^53.
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database as Schema } from './schema.js';

const INT8_OID = 20;
pg.types.setTypeParser(INT8_OID, (value: string) => Number(value));

export const PG_POOL_SIZE = 10;
const PG_CONNECT_TIMEOUT_MS = 5000;

export interface OpenedPostgres {
  db: Kysely<Schema>;
  pool: pg.Pool;
}

export function openPostgres(connectionString: string): OpenedPostgres {
  const pool = new pg.Pool({
    connectionString,
    max: PG_POOL_SIZE,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Fix: a client checked out of the pool (mid-transaction) that loses its connection also emits 'error',
  // and the pool listens only to idle clients, so a PostgreSQL restart under load threw an uncaught
  // exception and killed calsync. The failure already rejects the client's query (intake answers 503
  // store_unavailable) and the pool drops the broken client on release, so the event needs no handling.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}
