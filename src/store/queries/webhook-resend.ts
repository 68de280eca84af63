// Which appointments a resend covers: every live (not merged) appointment changed at or after a time,
// in pages by id.
import type { AppointmentRow } from '../schema.js';
import type { Db } from '../store.js';

export async function selectAppointmentsUpdatedSince(db: Db, sinceIso: string, afterId: number, limit: number): Promise<AppointmentRow[]> {
  return db
    .selectFrom('appointments')
    .selectAll()
    .where('updated_at', '>=', sinceIso)
    .where('merged_into', 'is', null)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}
