// The main thread's side of the SQLite thread: starts it, matches answers to requests, and gives Kysely a
// driver whose one connection is the thread's. Webhook events go to the thread whole (`submitIntake`).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import type { Logger } from 'pino';
import type { IncomingEvent, IntakeOutcome } from '../../intake/record-event.js';
import { DataDirLockedError } from '../sqlite.js';
import { fromWireError, type QueryResult as WireResult, type Reply, type Request, type ThreadOptions, type WireError } from './protocol.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const DESTROYED_MESSAGE = 'driver has already been destroyed';

export class SqliteThread {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;
  private closing = false;
  private log: Logger | null = null;
  private idleWaiters: (() => void)[] = [];

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => this.onReply(reply));
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', () => {
      this.exited = true;
      this.failAll(new Error(DESTROYED_MESSAGE));
    });
    // Unreferenced while nothing is asked of it: an idle store must not keep a process alive. Every
    // request references it again until answered.
    worker.unref();
  }

  /** Starts the thread and opens (and locks) the data dir in it. */
  static async open(options: ThreadOptions): Promise<SqliteThread> {
    const worker = startWorker(options);
    let onMessage: (reply: Reply) => void = () => {};
    let onError: (err: Error) => void = () => {};
    let onExit: (code: number) => void = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        onMessage = (reply) => {
          if (reply.t === 'opened') resolve();
          else if (reply.t === 'open-failed') reject(rebuildOpenError(reply.error));
        };
        onError = reject;
        onExit = (code) => reject(new Error(`the SQLite thread exited (${code}) while opening ${options.dataDir}`));
        worker.on('message', onMessage).once('error', onError).once('exit', onExit);
      });
    } finally {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    }
    return new SqliteThread(worker);
  }

  /** Where the thread's own log lines go (they arrive as pino JSON). */
  setLogger(log: Logger): void {
    this.log = log;
  }

  submitIntake(incoming: IncomingEvent, sinks: readonly string[]): Promise<IntakeOutcome> {
    return this.request((id) => ({ t: 'intake', id, incoming, sinks })) as Promise<IntakeOutcome>;
  }

  query(sql: string, parameters: readonly unknown[]): Promise<WireResult> {
    return this.request((id) => ({ t: 'query', id, sql, parameters })) as Promise<WireResult>;
  }

  release(): void {
    if (!this.exited) this.worker.postMessage({ t: 'release' } satisfies Request);
  }

  /** Resolves when no request is waiting for an answer. */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Lets queued events commit, closes the database and ends the thread. */
  async close(): Promise<void> {
    if (this.exited) return;
    // Referenced until it has exited: the process must not end while the database is being closed.
    this.closing = true;
    this.worker.ref();
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    await this.request((id) => ({ t: 'close', id })).catch(() => {});
    await exited;
  }

  private request(make: (id: number) => Request): Promise<unknown> {
    if (this.exited) return Promise.reject(new Error(DESTROYED_MESSAGE));
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(make(id));
    });
  }

  private onReply(reply: Reply): void {
    if (reply.t === 'log') {
      this.relayLog(reply.line);
      return;
    }
    if (reply.t !== 'ok' && reply.t !== 'failed') return;
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.t === 'ok') waiting.resolve(reply.value);
    else waiting.reject(fromWireError(reply.error));
    if (this.pending.size === 0) this.settle();
  }

  private settle(): void {
    if (!this.exited && !this.closing) this.worker.unref();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private failAll(err: unknown): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.settle();
  }

  private relayLog(line: string): void {
    if (!this.log) return;
    try {
      const { level, msg, ...fields } = JSON.parse(line) as { level: number; msg?: string } & Record<string, unknown>;
      const method = level >= 50 ? 'error' : level >= 40 ? 'warn' : level >= 30 ? 'info' : 'debug';
      this.log[method](fields, msg ?? '');
    } catch {
      this.log.warn({ line: line.slice(0, 500) }, 'unreadable log line from the SQLite thread');
    }
  }
}

function rebuildOpenError(wire: WireError): Error {
  if (wire.name === 'DataDirLockedError' && wire.dataDir !== undefined && wire.owner !== undefined) {
    return new DataDirLockedError(wire.dataDir, wire.owner);
  }
  return fromWireError(wire);
}

/**
 * The compiled worker. Running from TypeScript sources (the tests), the build output is used when it is
 * newer than every source file (npm test builds first), and otherwise the sources through tsx, which is
 * correct but takes about a second per start.
 */
function startWorker(options: ThreadOptions): Worker {
  const compiled = new URL(import.meta.url.endsWith('.ts') ? '../../../dist/src/store/sqlite-thread/worker.js' : './worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts') || buildIsCurrent(compiled)) return new Worker(compiled, { workerData: options });
  const source = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: options });
}

let buildCurrent: boolean | null = null;

function buildIsCurrent(compiled: URL): boolean {
  if (buildCurrent !== null) return buildCurrent;
  const srcDir = fileURLToPath(new URL('../../', import.meta.url));
  let newestSource = 0;
  for (const entry of fs.readdirSync(srcDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newestSource = Math.max(newestSource, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  try {
    buildCurrent = fs.statSync(compiled).mtimeMs >= newestSource;
  } catch {
    buildCurrent = false;
  }
  return buildCurrent;
}

/** Kysely's SQLite dialect with a driver that sends each statement to the SQLite thread. */
export class ThreadedSqliteDialect implements Dialect {
  constructor(private readonly thread: SqliteThread) {}

  createDriver(): Driver {
    return new ThreadedSqliteDriver(this.thread);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter() {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}

class ThreadedSqliteDriver implements Driver {
  /** One connection, as with SQLite itself: Kysely's queries on this thread wait for each other. */
  private locked: Promise<void> | null = null;
  private unlock: (() => void) | null = null;
  private readonly connection: ThreadedConnection;

  constructor(private readonly thread: SqliteThread) {
    this.connection = new ThreadedConnection(thread);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    while (this.locked) await this.locked;
    this.locked = new Promise((resolve) => (this.unlock = resolve));
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${name}"`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to "${name}"`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release "${name}"`));
  }

  async releaseConnection(): Promise<void> {
    this.thread.release();
    const unlock = this.unlock;
    this.locked = null;
    this.unlock = null;
    unlock?.();
  }

  async destroy(): Promise<void> {
    await this.thread.close();
  }
}

class ThreadedConnection implements DatabaseConnection {
  constructor(private readonly thread: SqliteThread) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.thread.query(compiled.sql, compiled.parameters);
    return result as QueryResult<R>;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const result = await this.executeQuery<R>(compiled);
    for (const row of result.rows) yield { rows: [row] };
  }
}
