// Keeps the `conflict` flag true exactly for active appointments that overlap another active appointment of
// the same organizer. Only the changed appointment and its old and new neighbours can change, so only they
// are looked at. Every step is one statement whatever the number of neighbours (at most four in all), so a
// booking that overlaps thousands of others cannot hold the intake transaction for long.
import type { Logger } from 'pino';
import { isActive } from '../appointments/conflicts.js';
import type { AppointmentState } from '../appointments/lifecycle.js';
import {
  clearResolvedConflicts,
  markOverlappingConflicting,
  selectActiveOverlapping,
  setConflictFlag,
} from '../store/queries/appointments.js';
import type { Db } from '../store/store.js';

/** Enough overlapping ids to log; the flags themselves are set in one statement. */
const OVERLAPS_LISTED = 10;

export interface Placement {
  organizerEmail: string | null;
  startTime: string | null;
  endTime: string | null;
  active: boolean;
  conflict: boolean;
}

export async function refreshConflicts(
  db: Db,
  appointmentId: number,
  before: Placement | null,
  after: AppointmentState,
  log: Logger,
): Promise<void> {
  const now = { organizerEmail: after.organizer?.email ?? null, startTime: after.startTime, endTime: after.endTime };
  const active = isActive(after.status);
  const moved =
    before === null ||
    before.active !== active ||
    before.organizerEmail !== now.organizerEmail ||
    before.startTime !== now.startTime ||
    before.endTime !== now.endTime;
  if (!moved) return;

  const overlapping = active ? await overlapsOf(db, appointmentId, now, OVERLAPS_LISTED) : [];
  const conflict = overlapping.length > 0;
  if ((before?.conflict ?? false) !== conflict) await setConflictFlag(db, appointmentId, conflict);
  if (conflict && now.organizerEmail && now.startTime && now.endTime) {
    await markOverlappingConflicting(db, now.organizerEmail, now.startTime, now.endTime, appointmentId);
    log.warn({ appointment_id: appointmentId, overlaps: overlapping.map((o) => o.id) }, 'appointment overlaps another of the same organizer');
  }

  // Former neighbours may have lost their only overlap (this row is already in its new state, so the
  // statement sees it where it is now).
  if (before?.active && before.organizerEmail && before.startTime && before.endTime) {
    await clearResolvedConflicts(db, before.organizerEmail, before.startTime, before.endTime, appointmentId);
  }
}

async function overlapsOf(db: Db, appointmentId: number, p: Omit<Placement, 'active' | 'conflict'>, limit: number) {
  if (!p.organizerEmail || !p.startTime || !p.endTime) return [];
  return selectActiveOverlapping(db, p.organizerEmail, p.startTime, p.endTime, appointmentId, limit);
}
