// Serialises work on one booking across instances: advisory locks on each uid stop two instances from
// creating the same appointment twice, and row locks stop two folds of one appointment from losing each
// other's event. Locks are taken in sorted order so two transactions cannot wait on each other. They are
// the store's locks (src/store/locks.ts): real on PostgreSQL, no-ops on the single-writer embedded store.
import { selectPlacementsOf } from '../store/queries/appointments.js';
import type { AppointmentRow } from '../store/schema.js';
import type { AdvisoryLock } from '../store/locks.js';
import type { Db, Store } from '../store/store.js';

/** Advisory locks this transaction already holds (name → taken shared), so a later step takes only the rest. */
export type HeldLocks = ReadonlyMap<string, boolean>;

export interface BookingLocks {
  /**
   * The uid locks; with `placements`, also those placements' organizer locks, in the same statement and in
   * the same global order (uids, then organizers, then hour buckets). Returns what it took.
   */
  lockUids(db: Db, uids: readonly string[], placements?: readonly LockPlacement[]): Promise<HeldLocks>;
  /** Row locks on the appointments, returning their rows as locked (in id order). */
  lockAppointments(db: Db, ids: readonly number[]): Promise<AppointmentRow[]>;
  /**
   * Serialises the overlap checks of bookings that could overlap. Fix: two overlapping bookings of one
   * organizer committed concurrently each looked for overlaps before the other was visible, so neither was
   * flagged. Taken after the uid locks and before any write, for the event's placement and the current
   * placements of the appointments it touches (`appointmentIds`), so it cannot wait on a row lock of
   * another holder.
   */
  lockOrganizers(
    db: Db,
    placements: readonly LockPlacement[],
    appointmentIds: readonly number[],
    /** Current placements of some of `appointmentIds`, already read in this transaction; the rest are read here. */
    knownPlacements?: ReadonlyMap<number, LockPlacement>,
    /**
     * Locks taken earlier in this transaction (lockUids); only the missing ones are taken, and none at all
     * (no statement) when every one is held. Missing ones taken this late can wait out of the global order;
     * PostgreSQL then breaks the rare deadlock and the transaction runs again (the store's retry).
     */
    held?: HeldLocks,
  ): Promise<void>;
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

/** The organizer locks of a lock plan, in the global order: organizers (sorted), then hour buckets (sorted). */
function organizerLocks(placements: readonly LockPlacement[]): AdvisoryLock[] {
  const plan = organizerLockPlan(placements);
  const organizers = [...plan.organizers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    ...organizers.map(([email, mode]) => ({ name: 'calsync:organizer:' + email, shared: mode === 'shared' })),
    ...plan.buckets.map((bucket) => ({ name: 'calsync:organizer-hour:' + bucket })),
  ];
}

const NOTHING_HELD: HeldLocks = new Map();

/** The booking locks on the store's own locks (no-ops where one process writes). */
export function bookingLocksFor(store: Pick<Store, 'locks'>): BookingLocks {
  const { locks } = store;
  return {
    async lockUids(db, uids, placements) {
      let taken: AdvisoryLock[] = [];
      await locks.advisory(db, () => {
        // Uid locks before organizer locks, so no two holders wait on each other.
        taken = [...[...new Set(uids)].sort().map((uid) => ({ name: 'calsync:uid:' + uid })), ...(placements ? organizerLocks(placements) : [])];
        return taken;
      });
      if (taken.length === 0) return NOTHING_HELD;
      return new Map(taken.map((l) => [l.name, l.shared === true]));
    },
    lockAppointments(db, ids) {
      return locks.lockedAppointments(db, ids);
    },
    async lockOrganizers(db, placements, appointmentIds, knownPlacements, held) {
      await locks.advisory(db, async () => {
        const all: LockPlacement[] = [...placements];
        const unread: number[] = [];
        for (const id of new Set(appointmentIds)) {
          const known = knownPlacements?.get(id);
          if (known) all.push(known);
          else unread.push(id);
        }
        if (unread.length > 0) {
          for (const r of await selectPlacementsOf(db, unread)) all.push({ email: r.organizer_email, startTime: r.start_time, endTime: r.end_time });
        }
        // An exclusive lock held covers a shared one wanted; a shared one held does not cover an exclusive one.
        return organizerLocks(all).filter((l) => {
          const heldShared = held?.get(l.name);
          return heldShared === undefined || (heldShared && !l.shared);
        });
      });
    },
  };
}
