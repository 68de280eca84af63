// Finding an appointment as an operator would: by any uid it ever had, or by an attendee's email or name.
// The text is a bound parameter and its LIKE wildcards are escaped, so it matches only as typed.
import { sql } from 'kysely';
import { ACTIVE_STATUSES } from '../../appointments/conflicts.js';
import type { AppointmentRow } from '../schema.js';
import type { Db } from '../store.js';

export const SEARCH_MAX_CHARS = 200;

/** Rows read per result wanted, since the LIKE also meets text that is not a name or an email. */
const CANDIDATES_PER_RESULT = 10;

function attendeeTexts(row: Pick<AppointmentRow, 'attendees'>): string[] {
  try {
    const list = JSON.parse(row.attendees) as { name?: unknown; email?: unknown }[];
    return Array.isArray(list) ? list.flatMap((a) => [a?.name, a?.email]).filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase()) : [];
  } catch {
    return [];
  }
}

function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Newest first; an exact uid match comes before attendee matches. */
export async function searchAppointments(db: Db, text: string, limit: number): Promise<AppointmentRow[]> {
  const q = text.trim().slice(0, SEARCH_MAX_CHARS);
  if (q === '') return [];
  const byUid = await db
    .selectFrom('appointments')
    .selectAll('appointments')
    .where('merged_into', 'is', null)
    .where('id', 'in', (sub) => sub.selectFrom('appointment_uids').select('appointment_id').where('uid', '=', q))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  // LIKE over the stored JSON narrows the rows; the match itself is on names and emails only (not on the
  // JSON's keys or other fields).
  const { rows: candidates } = await sql<AppointmentRow>`
    select * from appointments
    where merged_into is null and lower(attendees) like ${likePattern(q)} escape '\\'
    order by id desc
    limit ${limit * CANDIDATES_PER_RESULT}`.execute(db);
  const needle = q.toLowerCase();
  const byAttendee = candidates.filter((row) => attendeeTexts(row).some((t) => t.includes(needle)));
  const seen = new Set<number>();
  const out: AppointmentRow[] = [];
  for (const row of [...byUid, ...byAttendee]) {
    if (seen.has(row.id) || out.length >= limit) continue;
    seen.add(row.id);
    out.push(row);
  }
  return out;
}

/** The appointments whose overlap with this one set its conflict flag (same organizer, active, overlapping). */
export async function selectConflictPartners(db: Db, row: Pick<AppointmentRow, 'id' | 'organizer_email' | 'start_time' | 'end_time'>, limit: number): Promise<Pick<AppointmentRow, 'id' | 'title' | 'start_time' | 'end_time' | 'status'>[]> {
  if (!row.organizer_email || !row.start_time || !row.end_time) return [];
  return db
    .selectFrom('appointments')
    .select(['id', 'title', 'start_time', 'end_time', 'status'])
    .where('organizer_email', '=', row.organizer_email)
    .where('merged_into', 'is', null)
    .where('status', 'in', ACTIVE_STATUSES)
    .where('start_time', '<', row.end_time)
    .where('end_time', '>', row.start_time)
    .where('id', '!=', row.id)
    .orderBy('start_time')
    .limit(limit)
    .execute();
}
