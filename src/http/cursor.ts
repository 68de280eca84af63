// Opaque page cursors of the event log listings (GET /api/events, /admin/events): a cursor names its listing,
// so one from the other listing is refused instead of paging the wrong table.
import { CalsyncError } from '../errors.js';

export type CursorKind = 'events' | 'rejected' | 'signatures';

export function encodeCursor(kind: CursorKind, id: number): string {
  return Buffer.from(`${kind}:${id}`).toString('base64url');
}

/** The id a cursor stands for; a cursor from the other listing (or garbage) is a validation error. */
export function decodeCursor(kind: CursorKind, cursor: string): number {
  const m = /^(events|rejected|signatures):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m || m[1] !== kind) {
    throw new CalsyncError('validation_error', 'Invalid cursor', { issues: [{ path: 'cursor', message: `is not a cursor of this listing (${kind})` }] });
  }
  return Number(m[2]);
}
