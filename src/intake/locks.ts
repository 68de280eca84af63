// Serialises work on one booking across instances: advisory locks on each uid stop two instances from
// creating the same appointment twice, and row locks stop two folds of one appointment from losing each
// other's event. Locks are taken in sorted order so two transactions cannot wait on each other. They are
// the store's locks (src/store/locks.ts): real on PostgreSQL, no-ops on the single-writer embedded store.
import { selectPlacementsOf } from '../store/queries/appointments.js';
import type { Db, Store } from '../store/store.js';

export interface BookingLocks {
  lockUids(db: Db, uids: readonly string[]): Promise<void>;
  lockAppointments(db: Db, ids: readonly number[]): Promise<void>;
  /**
   * Serialises the overlap checks of bookings that could overlap. Fix: two overlapping bookings of one
   * organizer committed concurrently each looked for overlaps before the other was visible, so neither was
   * flagged. Taken after the uid locks and before any write, for the event's placement and the current
   * placements of the appointments it touches (`appointmentIds`), so it cannot wait on a row lock of
   * another holder.
   */
  lockOrganizers(db: Db, placements: readonly LockPlacement[], appointmentIds: readonly number[]): Promise<void>;
}

export interface LockPlacement {
  email: string | null | undefined;
  startTime: string | null | undefined;
  endTime: string | null | undefined;
}

const HOUR_MS = 3_600_000;
/** Longer placements lock the organizer exclusively instead of hour by hour. */
const MAX_HOUR_BUCKETS = 48;

/**
 * Which advisory locks a set of placements needs. Two overlapping placements of one organizer always share
 * an hour bucket, so locking the buckets exclusively serialises exactly the checks that can conflict, while
 * bookings at other hours proceed in parallel. Every holder also takes its organizer's lock: shared for
 * bucketed placements, exclusive for a placement too long (or too vague) to bucket, which therefore waits
 * for every other check of that organizer.
 */
export function organizerLockPlan(placements: readonly LockPlacement[]): { organizers: Map<string, 'shared' | 'exclusive'>; buckets: string[] } {
  const organizers = new Map<string, 'shared' | 'exclusive'>();
  const buckets = new Set<string>();
  for (const p of placements) {
    if (!p.email) continue;
    const start = p.startTime ? Date.parse(p.startTime) : NaN;
    const end = p.endTime ? Date.parse(p.endTime) : NaN;
    const first = Math.floor(start / HOUR_MS);
    const last = Math.floor((Math.max(end, start + 1) - 1) / HOUR_MS);
    if (!Number.isFinite(first) || !Number.isFinite(last) || last - first + 1 > MAX_HOUR_BUCKETS) {
      organizers.set(p.email, 'exclusive');
      continue;
    }
    if (!organizers.has(p.email)) organizers.set(p.email, 'shared');
    for (let h = first; h <= last; h++) buckets.add(`${p.email}@${h}`);
  }
  return { organizers, buckets: [...buckets].sort() };
}

/** The booking locks on the store's own locks (no-ops where one process writes). */
export function bookingLocksFor(store: Pick<Store, 'locks'>): BookingLocks {
  const { locks } = store;
  return {
    async lockUids(db, uids) {
      await locks.advisory(db, () => [...new Set(uids)].sort().map((uid) => ({ name: 'calsync:uid:' + uid })));
    },
    async lockAppointments(db, ids) {
      await locks.appointments(db, ids);
    },
    async lockOrganizers(db, placements, appointmentIds) {
      await locks.advisory(db, async () => {
        const all: LockPlacement[] = [...placements];
        const ids = [...new Set(appointmentIds)];
        if (ids.length > 0) {
          for (const r of await selectPlacementsOf(db, ids)) all.push({ email: r.organizer_email, startTime: r.start_time, endTime: r.end_time });
        }
        const plan = organizerLockPlan(all);
        // Organizer locks before bucket locks, each in sorted order, so no two holders wait on each other.
        const organizers = [...plan.organizers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return [
          ...organizers.map(([email, mode]) => ({ name: 'calsync:organizer:' + email, shared: mode === 'shared' })),
          ...plan.buckets.map((bucket) => ({ name: 'calsync:organizer-hour:' + bucket })),
        ];
      });
    },
  };
}
