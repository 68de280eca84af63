// Messages between the main thread and the thread that owns the SQLite connection. Everything crosses by
// structured clone, so errors travel as plain objects and are rebuilt on the other side.
import type { IncomingEvent, IntakeOutcome } from '../../intake/record-event.js';

export interface ThreadOptions {
  dataDir: string;
}

/** Main → SQLite thread. */
export type Request =
  /** One statement for the main thread's connection; the first one of a lease takes the connection. */
  | { t: 'query'; id: number; sql: string; parameters: readonly unknown[] }
  /** The main thread is done with the connection (no answer). */
  | { t: 'release' }
  /** An event for the group commit; answered once its batch is durably committed. */
  | { t: 'intake'; id: number; incoming: IncomingEvent; sinks: readonly string[] }
  | { t: 'close'; id: number };

export interface QueryResult {
  rows: unknown[];
  numAffectedRows?: bigint;
  insertId?: bigint;
}

/** SQLite thread → main. */
export type Reply =
  | { t: 'opened' }
  | { t: 'open-failed'; error: WireError }
  | { t: 'ok'; id: number; value: QueryResult | IntakeOutcome | null }
  | { t: 'failed'; id: number; error: WireError }
  /** A log line (pino JSON) written inside the thread. */
  | { t: 'log'; line: string };

export interface WireError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  /** DataDirLockedError's fields, so the main thread can rebuild it. */
  dataDir?: string;
  owner?: string;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; dataDir?: unknown; owner?: unknown };
    return {
      name: e.name,
      message: e.message,
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(e.stack ? { stack: e.stack } : {}),
      ...(typeof e.dataDir === 'string' ? { dataDir: e.dataDir } : {}),
      ...(typeof e.owner === 'string' ? { owner: e.owner } : {}),
    };
  }
  return { name: 'Error', message: String(err) };
}

/** An Error with the same name, message and code (SQLITE_*), which is what callers look at. */
export function fromWireError(wire: WireError): Error & { code?: string } {
  const err = new Error(wire.message) as Error & { code?: string };
  err.name = wire.name;
  if (wire.code !== undefined) err.code = wire.code;
  if (wire.stack) err.stack = wire.stack;
  return err;
}
