// The thread that owns the SQLite connection. better-sqlite3 is synchronous: on the main thread every
// statement, and every commit's fsync, stopped the HTTP server for its whole duration. Here they run beside
// it. The main thread's queries arrive as compiled SQL; webhook events arrive whole and are applied here in
// group commits (src/intake/sqlite-batch.ts), so an event costs one message each way, not one per statement.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { CommitBatcher } from '../../intake/commit-batcher.js';
import { bookingLocksFor } from '../../intake/locks.js';
import type { IntakeOutcome } from '../../intake/record-event.js';
import { recordBatch, type BatchItem } from '../../intake/sqlite-batch.js';
import { openSqlite, type OpenedSqlite } from '../sqlite.js';
import { toWireError, type QueryResult, type Reply, type Request, type ThreadOptions } from './protocol.js';

if (!parentPort) throw new Error('sqlite-thread/worker.js runs as a worker thread');
const port = parentPort;
const post = (reply: Reply): void => port.postMessage(reply);

// Lines go to the main thread, which logs them through its own logger (and its redaction).
const log = pino({ level: 'debug', base: null, timestamp: false }, { write: (line: string) => post({ t: 'log', line }) });

/**
 * Who has the connection: the main thread (from its first statement until it releases it, so its
 * transactions are never interleaved with a batch) or a batch of events.
 */
class Lease {
  private holder: 'main' | 'intake' | null = null;
  private readonly waiting: { who: 'main' | 'intake'; grant(): void }[] = [];

  isHeldBy(who: 'main' | 'intake'): boolean {
    return this.holder === who;
  }

  acquire(who: 'main' | 'intake'): Promise<void> {
    if (this.holder === null) {
      this.holder = who;
      return Promise.resolve();
    }
    return new Promise((grant) => this.waiting.push({ who, grant }));
  }

  release(): void {
    const next = this.waiting.shift();
    this.holder = next ? next.who : null;
    next?.grant();
  }
}

let opened: OpenedSqlite;
try {
  opened = openSqlite((workerData as ThreadOptions).dataDir);
  post({ t: 'opened' });
} catch (err) {
  post({ t: 'open-failed', error: toWireError(err) });
  port.close();
  process.exit(1);
}
const { db, prepare } = opened;
const lease = new Lease();
const locks = bookingLocksFor('sqlite');
const batcher = new CommitBatcher<BatchItem, IntakeOutcome>(async (items) => {
  await lease.acquire('intake');
  try {
    return await recordBatch(db, items, log);
  } finally {
    lease.release();
  }
});

function execute(sqlText: string, parameters: readonly unknown[]): QueryResult {
  const stmt = prepare(sqlText);
  // Structured clone turns a Buffer into a plain Uint8Array; better-sqlite3 binds Buffers.
  const params = parameters.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
  if (stmt.reader) return { rows: stmt.all(params) };
  const { changes, lastInsertRowid } = stmt.run(params);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}

async function answerQuery(id: number, sqlText: string, parameters: readonly unknown[]): Promise<void> {
  if (!lease.isHeldBy('main')) await lease.acquire('main');
  try {
    post({ t: 'ok', id, value: execute(sqlText, parameters) });
  } catch (err) {
    post({ t: 'failed', id, error: toWireError(err) });
  }
}

let closing = false;
port.on('message', (request: Request) => {
  switch (request.t) {
    case 'query':
      void answerQuery(request.id, request.sql, request.parameters);
      return;
    case 'release':
      if (lease.isHeldBy('main')) lease.release();
      return;
    case 'intake': {
      const { id, incoming, sinks } = request;
      if (closing) {
        post({ t: 'failed', id, error: { name: 'Error', message: 'driver has already been destroyed' } });
        return;
      }
      batcher.submit({ incoming, ctx: { now: () => new Date(), sinks, locks, log } }).then(
        (value) => post({ t: 'ok', id, value }),
        (err: unknown) => post({ t: 'failed', id, error: toWireError(err) }),
      );
      return;
    }
    case 'close':
      closing = true;
      void batcher
        .idle()
        .then(() => lease.acquire('intake'))
        .then(() => db.destroy())
        .then(
          () => post({ t: 'ok', id: request.id, value: null }),
          (err: unknown) => post({ t: 'failed', id: request.id, error: toWireError(err) }),
        )
        .finally(() => port.close());
      return;
  }
});
