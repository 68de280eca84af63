// Keeps the `conflict` flag true exactly for active appointments that overlap another active appointment of
// the same organizer. Only the moved appointment and its old and new neighbours can change, so only they
// are looked at.
import type { Logger } from 'pino';
import { isActive } from '../appointments/conflicts.js';
import type { AppointmentState } from '../appointments/lifecycle.js';
import { selectActiveOverlapping, selectAppointmentById, setConflictFlag } from '../store/queries/appointments.js';
import type { Db } from '../store/store.js';

interface Placement {
  organizerEmail: string | null;
  startTime: string | null;
  endTime: string | null;
}

export async function refreshConflicts(
  db: Db,
  appointmentId: number,
  before: Placement | null,
  after: AppointmentState,
  log: Logger,
): Promise<void> {
  const afterPlacement: Placement = { organizerEmail: after.organizer?.email ?? null, startTime: after.startTime, endTime: after.endTime };
  const unchanged =
    before !== null &&
    before.organizerEmail === afterPlacement.organizerEmail &&
    before.startTime === afterPlacement.startTime &&
    before.endTime === afterPlacement.endTime;

  const current = await overlapsOf(db, appointmentId, isActive(after.status) ? afterPlacement : null);
  const self = await selectAppointmentById(db, appointmentId);
  const flag = current.length > 0;
  if (self && (self.conflict === 1) !== flag) await setConflictFlag(db, appointmentId, flag);
  if (flag && (!self || self.conflict === 0 || !unchanged)) {
    log.warn({ appointment_id: appointmentId, overlaps: current.map((c) => c.id) }, 'appointment overlaps another of the same organizer');
  }
  for (const other of current) if (other.conflict === 0) await setConflictFlag(db, other.id, true);

  // Former neighbours may have lost their only overlap.
  if (before && (!unchanged || !isActive(after.status))) {
    const former = await overlapsOf(db, appointmentId, before);
    for (const other of former) {
      if (current.some((c) => c.id === other.id)) continue;
      const otherRow = await selectAppointmentById(db, other.id);
      if (!otherRow?.organizer_email) continue;
      const rest = await selectActiveOverlapping(db, otherRow.organizer_email, otherRow.start_time ?? '', otherRow.end_time ?? '', other.id);
      const stillConflicting = rest.length > 0;
      if ((otherRow.conflict === 1) !== stillConflicting) await setConflictFlag(db, other.id, stillConflicting);
    }
  }
}

async function overlapsOf(db: Db, appointmentId: number, placement: Placement | null) {
  if (!placement?.organizerEmail || !placement.startTime || !placement.endTime) return [];
  return selectActiveOverlapping(db, placement.organizerEmail, placement.startTime, placement.endTime, appointmentId);
}
