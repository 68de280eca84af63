// Keeps the `conflict` flag true exactly for active appointments that overlap another active appointment of
// the same organizer. Only the changed appointment and its old and new neighbours can change, so only they
// are looked at; the common case (a new booking in a free slot) costs one indexed look-up.
import type { Logger } from 'pino';
import { isActive } from '../appointments/conflicts.js';
import type { AppointmentState } from '../appointments/lifecycle.js';
import {
  markOverlappingConflicting,
  selectActiveOverlapping,
  selectAppointmentById,
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

  // Former neighbours may have lost their only overlap.
  if (before?.active) {
    const former = await overlapsOf(db, appointmentId, before, Number.MAX_SAFE_INTEGER);
    for (const other of former) {
      if (other.conflict === 0 || overlapping.some((o) => o.id === other.id)) continue;
      const row = await selectAppointmentById(db, other.id);
      if (!row?.organizer_email || !row.start_time || !row.end_time) continue;
      const rest = await selectActiveOverlapping(db, row.organizer_email, row.start_time, row.end_time, other.id, 1);
      if (rest.length === 0) await setConflictFlag(db, other.id, false);
    }
  }
}

async function overlapsOf(db: Db, appointmentId: number, p: Omit<Placement, 'active' | 'conflict'>, limit: number) {
  if (!p.organizerEmail || !p.startTime || !p.endTime) return [];
  return selectActiveOverlapping(db, p.organizerEmail, p.startTime, p.endTime, appointmentId, limit);
}
