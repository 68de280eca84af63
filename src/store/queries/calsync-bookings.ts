// Appointments calsync asks Cal.com to create: stored first (so our id can travel in the booking's
// metadata), linked to the booking when Cal.com answers or its webhook echoes, removed if Cal.com refuses.
import type { Db } from '../store.js';

export interface PendingAppointment {
  eventTypeId: number;
  /** ISO 8601 UTC with milliseconds. */
  startTime: string;
  attendees: { name: string | null; email: string; timeZone: string | null }[];
  phone: string | null;
  notes: string | null;
  location: string | null;
  metadata: Record<string, string>;
}

/**
 * A `requested` appointment with no Cal.com uid yet. Sinks are not told: nothing is mirrored until
 * Cal.com has accepted the booking and an event has linked it.
 */
export async function insertPendingAppointment(db: Db, p: PendingAppointment, at: string): Promise<number> {
  const row = await db
    .insertInto('appointments')
    .values({
      calcom_booking_uid: null,
      calcom_booking_id: null,
      status: 'requested',
      start_time: p.startTime,
      end_time: null,
      title: null,
      event_type_id: p.eventTypeId,
      event_type: null,
      organizer_name: null,
      organizer_email: null,
      organizer_time_zone: null,
      attendees: JSON.stringify(p.attendees.map((a) => ({ name: a.name, email: a.email, time_zone: a.timeZone, no_show: false }))),
      phone: p.phone,
      notes: p.notes,
      location: p.location,
      metadata: JSON.stringify(p.metadata),
      source: 'calsync',
      reschedule_reason: null,
      rescheduled_by: null,
      cancellation_reason: null,
      cancelled_by: null,
      request_reschedule: 0,
      rejection_reason: null,
      no_show: 0,
      payment_status: null,
      payment_id: null,
      conflict: 0,
      version: 1,
      merged_into: null,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Removes a pending appointment that Cal.com never booked. Only while nothing has linked it (no uid, no
 * event): if a webhook echo got there first, the booking exists after all and the row stays. Ids are
 * never reused (AUTOINCREMENT / identity), so a late echo of a failed call can never land on another
 * appointment. Returns whether the row was deleted.
 */
export async function deletePendingAppointment(db: Db, id: number): Promise<boolean> {
  const linked = await db.selectFrom('events').select('id').where('appointment_id', '=', id).limit(1).executeTakeFirst();
  if (linked) return false;
  const deleted = await db
    .deleteFrom('appointments')
    .where('id', '=', id)
    .where('calcom_booking_uid', 'is', null)
    .where('merged_into', 'is', null)
    .executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) return false;
  await db.deleteFrom('appointment_uids').where('appointment_id', '=', id).execute();
  await db.deleteFrom('sink_state').where('appointment_id', '=', id).execute();
  return true;
}
