// Where `calsync send` takes a booking's times from when --start is not given. Made-up times do harm: a
// cancellation of a known booking must not move it, and a run of sends must not book one slot over and over.
// - a uid the server knows: that appointment's start and end (GET /api/appointments?calcom_uid=);
// - otherwise: the first free slot from tomorrow on, after the latest end among the server's newest
//   appointments;
// - without a reachable server or API key: a slot chosen at random in the next 90 days (collisions unlikely).
import crypto from 'node:crypto';
import { getJson, UnreachableError } from './http.js';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;
const SLOT_MS = 30 * 60_000;
const RANDOM_SLOT_DAYS = 90;
/** How many of the newest appointments are looked at for the latest end. */
const RECENT_APPOINTMENTS = 200;
/** The CLI asks before it sends; a server that does not answer soon is treated as absent. */
const LOOKUP_TIMEOUT_MS = 5_000;

export interface KnownTimes {
  startTime: string;
  endTime: string;
}

export interface ServerLookup {
  base: string;
  key: string;
}

interface AppointmentTimes {
  start_time?: unknown;
  end_time?: unknown;
}

function timesOf(a: AppointmentTimes | undefined): KnownTimes | null {
  if (!a || typeof a.start_time !== 'string' || typeof a.end_time !== 'string') return null;
  if (Number.isNaN(Date.parse(a.start_time)) || Number.isNaN(Date.parse(a.end_time))) return null;
  return { startTime: a.start_time, endTime: a.end_time };
}

async function appointments(server: ServerLookup, query: string): Promise<AppointmentTimes[] | null> {
  try {
    const body = (await getJson(`${server.base}/api/appointments?${query}`, { authorization: `Bearer ${server.key}` }, LOOKUP_TIMEOUT_MS)) as {
      appointments?: unknown;
    } | null;
    return Array.isArray(body?.appointments) ? (body.appointments as AppointmentTimes[]) : null;
  } catch (err) {
    if (err instanceof UnreachableError) return null;
    throw err;
  }
}

/** The times the server holds for this booking uid, or null when it does not know it (or cannot be asked). */
export async function knownBookingTimes(server: ServerLookup | null, uid: string): Promise<KnownTimes | null> {
  if (server === null) return null;
  const found = await appointments(server, `calcom_uid=${encodeURIComponent(uid)}&limit=1`);
  return timesOf(found?.[0]);
}

/** A slot that overlaps none of the server's newest appointments, from tomorrow (next full hour) on. */
export async function nextFreeSlot(server: ServerLookup | null, lengthMs: number, nowMs = Date.now()): Promise<KnownTimes> {
  const earliest = Math.ceil((nowMs + DAY_MS) / HOUR_MS) * HOUR_MS;
  const recent = server === null ? null : await appointments(server, `limit=${RECENT_APPOINTMENTS}`);
  let start: number;
  if (recent === null) {
    start = earliest + crypto.randomInt(0, (RANDOM_SLOT_DAYS * DAY_MS) / SLOT_MS) * SLOT_MS;
  } else {
    const latestEnd = Math.max(0, ...recent.map((a) => Date.parse(timesOf(a)?.endTime ?? '') || 0));
    start = Math.max(earliest, Math.ceil(latestEnd / SLOT_MS) * SLOT_MS);
  }
  return { startTime: new Date(start).toISOString(), endTime: new Date(start + lengthMs).toISOString() };
}
