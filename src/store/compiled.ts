// The intake's statements, compiled by Kysely once per shape and then run with fresh values (issue 14).
//
// A `sql` template is cheap to write but not to run: every execution builds a tree of nodes (one per value),
// compiles it to text, and passes through the executor's layers of connection providers, about 8 KB of
// short-lived objects and ~15 µs of CPU per statement on the embedded store, more than a third of what the
// intake allocates per event. Allocation sets how often V8 scavenges and how fast promoted garbage fills the
// old generation (BENCHMARKS.md), so it drives the p99 and the peak RSS as well as the CPU.
//
// `compiledStatement(build)` calls `build` once per shape with placeholders standing for the values and lets
// Kysely compile the result for the store's dialect (`?` or `$1`, quoting); later runs of that shape only
// bind the values, in the order the compiler put their placeholders. Inside a transaction the statement goes
// straight to the transaction's connection (the one Kysely holds for it from BEGIN to COMMIT) instead of
// through the executor's providers; elsewhere through the executor as usual.
//
// Rules for a statement's values (`P`), checked when a shape is compiled:
// - a record of values (string, number, bigint or null), arrays of values, and records of those (a record
//   that may be null holds no arrays: where arrays sit is read from a statement's first values);
// - every value the template uses comes from `P` or is a constant written in the template; a key missing
//   from `P` would compile as a constant, so compiling fails on an `undefined`;
// - what the values do not fix about the text (the length of each array is counted automatically) is named
//   by `shapeOf`, e.g. whether an optional clause is present; `build` gets that name and decides by it alone
//   (its values are placeholders).
import { ControlledTransaction, createQueryId, type CompiledQuery, type DatabaseConnection, type QueryResult, type RawBuilder } from 'kysely';
import type { Db } from './db.js';

type Value = string | number | bigint | null;
/** What a statement's values may be: see the rules above. */
export type StatementValues = { readonly [key: string]: Value | readonly Value[] | StatementValues };

/** Stands for one value while a shape is compiled: where it sits in the values. */
class Slot {
  constructor(readonly path: readonly (string | number)[]) {}
}

type Binding = { slot: readonly (string | number)[] } | { constant: unknown };

interface Shape {
  sql: string;
  query: CompiledQuery['query'];
  bindings: readonly Binding[];
}

/** Shapes kept per statement; more would mean the shape key carries a value (a bug), so they are not kept. */
const MAX_SHAPES = 64;

/** A statement compiled once per shape and dialect; see the file's comment. */
export function compiledStatement<P extends StatementValues, R>(
  name: string,
  build: (values: P, shape: string) => RawBuilder<R>,
  shapeOf?: (values: P) => string,
): (db: Db, values: P) => Promise<QueryResult<R>> {
  const shapes = new Map<string, Shape>();
  let arrayPaths: (readonly string[])[] | null = null;
  return (db, values) => {
    try {
      if (arrayPaths === null) arrayPaths = findArrays(values, []);
      const executor = db.getExecutor();
      const named = shapeOf ? shapeOf(values) : '';
      let key = dialectId(executor.adapter) + ':' + named;
      for (const path of arrayPaths) key += ',' + (valueAt(values, path) as readonly Value[]).length;
      let shape = shapes.get(key);
      if (shape === undefined) {
        shape = compileShape(name, db, (v) => build(v, named), values);
        if (shapes.size < MAX_SHAPES) shapes.set(key, shape);
      }
      const parameters = shape.bindings.map((b) => ('slot' in b ? (valueAt(values, b.slot) ?? null) : b.constant));
      const compiled: CompiledQuery = { sql: shape.sql, parameters, query: shape.query, queryId: createQueryId() };
      return run<R>(db, compiled);
    } catch (err) {
      return Promise.reject(err);
    }
  };
}

function compileShape<P extends StatementValues, R>(name: string, db: Db, build: (values: P) => RawBuilder<R>, values: P): Shape {
  const compiled = build(placeholders(values, []) as P).compile(db);
  const bindings = compiled.parameters.map((p): Binding => {
    if (p instanceof Slot) return { slot: p.path };
    if (p === undefined) throw new Error(`statement ${name}: its template uses a value that is not among its values`);
    return { constant: p };
  });
  return { sql: compiled.sql, query: compiled.query, bindings };
}

/** The values' mirror with a Slot for each value (arrays keep their length). */
function placeholders(values: unknown, path: (string | number)[]): unknown {
  if (Array.isArray(values)) return values.map((_, i) => new Slot([...path, i]));
  if (values !== null && typeof values === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) out[k] = placeholders(v, [...path, k]);
    return out;
  }
  return new Slot(path);
}

function findArrays(values: unknown, path: string[]): string[][] {
  if (Array.isArray(values)) return [path];
  if (values === null || typeof values !== 'object') return [];
  return Object.entries(values).flatMap(([k, v]) => findArrays(v, [...path, k]));
}

function valueAt(values: unknown, path: readonly (string | number)[]): unknown {
  let v = values;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  return v;
}

// The compiled text depends on the dialect only: one id per adapter class.
const dialectIds = new WeakMap<object, number>();
let dialectsSeen = 0;
function dialectId(adapter: object): number {
  const cls = adapter.constructor;
  let id = dialectIds.get(cls);
  if (id === undefined) {
    id = ++dialectsSeen;
    dialectIds.set(cls, id);
  }
  return id;
}

// A transaction's connection, held by Kysely from BEGIN to COMMIT or ROLLBACK.
const connections = new WeakMap<Db, DatabaseConnection>();

async function run<R>(db: Db, compiled: CompiledQuery): Promise<QueryResult<R>> {
  const executor = db.getExecutor();
  if (!db.isTransaction) return executor.executeQuery<R>(compiled);
  // A controlled transaction that has ended no longer holds its connection: the executor refuses it.
  if (db instanceof ControlledTransaction && (db.isCommitted || db.isRolledBack)) return executor.executeQuery<R>(compiled);
  let connection = connections.get(db);
  if (connection === undefined) {
    connection = await executor.provideConnection(async (c) => c);
    connections.set(db, connection);
  }
  return connection.executeQuery<R>(compiled);
}
