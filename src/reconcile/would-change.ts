// Whether recording a snapshot would change anything: the appointment it belongs to is folded with and
// without it (read-only, the same pure fold the intake uses). Reconciliation records only snapshots that
// repair something, so the event log shows what was missed, not every booking read.
import { deriveAppointment, type KnownEvent } from '../appointments/lifecycle.js';
import { ownAppointmentIdOf, uidsOf } from '../appointments/links.js';
import type { DomainEvent } from '../appointments/types.js';
import { canonicalJson } from '../calcom/dedup.js';
import { selectAppointmentById, selectAppointmentIdsByUids } from '../store/queries/appointments.js';
import { selectProcessedEventsOf } from '../store/queries/events.js';
import type { Db } from '../store/store.js';

/** Larger than any log id, so the snapshot sorts where a newly recorded event would. */
const NEXT_EVENT_ID = Number.MAX_SAFE_INTEGER;
/** Bounds the walk along merged records. */
const MAX_MERGE_HOPS = 16;

export async function snapshotWouldChange(db: Db, event: DomainEvent): Promise<boolean> {
  const known = await selectAppointmentIdsByUids(db, uidsOf(event));
  const ids = new Set<number>();
  for (const id of known.values()) ids.add(await survivorOf(db, id));
  const ownId = ownAppointmentIdOf(event.booking.metadata);
  if (ownId !== null && (await selectAppointmentById(db, ownId))) ids.add(await survivorOf(db, ownId));
  // Unknown booking (a missed creation), or proof that two records are one booking: the intake must see it.
  if (ids.size !== 1) return true;
  const [id] = [...ids] as [number];
  // Our own booking whose uid is not linked yet: the snapshot links it.
  if (ownId !== null && !known.has(event.booking.uid)) return true;

  const rows = await selectProcessedEventsOf(db, id);
  const events: KnownEvent[] = rows.map((r) => ({ id: r.id, event: JSON.parse(r.event_json as string) as DomainEvent }));
  const before = deriveAppointment(events);
  const after = deriveAppointment([...events, { id: NEXT_EVENT_ID, event }]);
  return canonicalJson(before) !== canonicalJson(after);
}

async function survivorOf(db: Db, id: number): Promise<number> {
  let current = id;
  for (let hop = 0; hop < MAX_MERGE_HOPS; hop++) {
    const row = await selectAppointmentById(db, current);
    if (!row || row.merged_into === null) return current;
    current = row.merged_into;
  }
  return current;
}
