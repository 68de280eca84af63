// Which failures mean "the store cannot be reached right now" (the caller may retry: 503
// store_unavailable) rather than a bug (500): refused or broken connections, timeouts (connecting, a query
// past its deadline, a statement cancelled by statement_timeout), PostgreSQL shutting down or out of
// connections, SQLite busy. Both drivers' errors are recognised here, once.

/** Node socket errors, and PostgreSQL: admin/crash shutdown, cannot connect now, too many connections, query cancelled. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300', '57014']);
const UNREACHABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|query deadline|Client was closed and is not queryable|database is locked|SQLITE_BUSY|driver has already been destroyed/i;
/** Messages are looked at only this far: a driver's message can quote a long query. */
const MESSAGE_CHARS = 500;

export function isStoreUnreachable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  // Class 08: connection exception.
  if (UNREACHABLE_CODES.has(code) || code.startsWith('08')) return true;
  return typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message.slice(0, MESSAGE_CHARS));
}
