// Serialises work on one booking across instances. SQLite has one writer, so nothing is needed there; on
// PostgreSQL, transaction-scoped advisory locks on each uid stop two instances from creating the same
// appointment twice, and row locks stop two folds of one appointment from losing each other's event.
// Locks are taken in sorted order so two transactions cannot wait on each other. Advisory lock keys are
// (schema, name) pairs, so deployments (or test schemas) sharing one database never wait on each other.
import { sql } from 'kysely';
import type { DialectName } from '../store/dialect.js';
import type { Db } from '../store/store.js';

export interface BookingLocks {
  lockUids(db: Db, uids: readonly string[]): Promise<void>;
  lockAppointments(db: Db, ids: readonly number[]): Promise<void>;
  /**
   * Serialises the overlap checks of one organizer's bookings. Fix: two overlapping bookings of one
   * organizer committed concurrently each looked for overlaps before the other was visible, so neither was
   * flagged. Taken after the uid locks and before any write, for the event's organizer and the organizers
   * of the appointments it touches (`appointmentIds`), so it cannot wait on a row lock of another holder.
   */
  lockOrganizers(db: Db, emails: readonly (string | null | undefined)[], appointmentIds: readonly number[]): Promise<void>;
}

const NO_LOCKS: BookingLocks = {
  async lockUids() {},
  async lockAppointments() {},
  async lockOrganizers() {},
};

const PG_LOCKS: BookingLocks = {
  async lockUids(db, uids) {
    for (const uid of [...new Set(uids)].sort()) {
      await advisoryXactLock(db, 'calsync:uid:' + uid);
    }
  },
  async lockAppointments(db, ids) {
    const sorted = [...new Set(ids)].sort((a, b) => a - b);
    if (sorted.length > 0) await sql`select id from appointments where id in (${sql.join(sorted)}) order by id for update`.execute(db);
  },
  async lockOrganizers(db, emails, appointmentIds) {
    const all = new Set(emails.filter((e): e is string => typeof e === 'string' && e !== ''));
    const ids = [...new Set(appointmentIds)];
    if (ids.length > 0) {
      const { rows } = await sql<{ organizer_email: string | null }>`
        select organizer_email from appointments where id in (${sql.join(ids)})`.execute(db);
      for (const r of rows) if (r.organizer_email) all.add(r.organizer_email);
    }
    for (const email of [...all].sort()) {
      await advisoryXactLock(db, 'calsync:organizer:' + email);
    }
  },
};

async function advisoryXactLock(db: Db, name: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(current_schema()), hashtext(${name}))`.execute(db);
}

export function bookingLocksFor(dialect: DialectName): BookingLocks {
  return dialect === 'postgres' ? PG_LOCKS : NO_LOCKS;
}
