// What the scale test expects of the Notion mirror and of the traffic Notion saw: the sink has nothing
// left to do, every booking has exactly one live Sessions page showing where it ended up, every client
// exactly one Clients page, and no second of the request log held more than the rate plus the burst.
import { sql } from 'kysely';
import type { RequestLogEntry } from '../../emulators/notion/index.js';
import type { Db } from '../../../src/store/store.js';
import { dateOf, sameInstant, type NotionWorkspace } from '../../sinks/support/notion.js';
import type { ScaleBooking, ScalePlan } from './plan.js';

export interface MirrorProgress {
  /** Live appointments whose Notion row shows their current version. */
  synced: number;
  /** Rows the worker still has to do something about. */
  open: number;
  states: Record<string, number>;
}

/** States of a row the worker has not finished with (src/sinks/notion/README.md). */
const OPEN_STATES = new Set(['pending', 'syncing', 'retrying', 'failed', 'orphaned']);

/** Where the mirror stands, read from the store (sink_state joined with the live appointments). */
export async function mirrorProgress(db: Db): Promise<MirrorProgress> {
  const rows = await db
    .selectFrom('sink_state')
    .innerJoin('appointments', 'appointments.id', 'sink_state.appointment_id')
    .select(['sink_state.state as state', 'sink_state.synced_version as synced_version', 'appointments.version as version', 'appointments.merged_into as merged_into'])
    .where('sink_state.sink', '=', 'notion')
    .execute();
  const progress: MirrorProgress = { synced: 0, open: 0, states: {} };
  for (const r of rows) {
    progress.states[r.state] = (progress.states[r.state] ?? 0) + 1;
    if (r.merged_into === null && r.state === 'synced' && r.synced_version === r.version) progress.synced += 1;
    if (OPEN_STATES.has(r.state)) progress.open += 1;
  }
  return progress;
}

/** Live appointments; with the mirror drained, each must have one synced row. */
export async function countLiveAppointments(db: Db): Promise<number> {
  const row = await db.selectFrom('appointments').select(sql<number | string>`count(*)`.as('n')).where('merged_into', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function expectedStatus(b: ScaleBooking): string {
  if (b.cancelled) return 'Cancelled';
  return b.rescheduledTo ? 'Rescheduled' : 'Scheduled';
}

/** Every way Notion differs from what the plan leads to; empty when it is exactly right. */
export function mirrorProblems(ws: NotionWorkspace, plan: ScalePlan): string[] {
  const out: string[] = [];
  const clients = ws.emulator.pagesIn(ws.clientsDataSourceId, { includeTrashed: true });
  const clientByEmail = new Map<string, string>();
  for (const page of clients) {
    const email = String(page.plain.Email ?? '');
    if (page.inTrash) out.push(`Clients page ${page.id} (${email}) is in the trash`);
    if (clientByEmail.has(email)) out.push(`a second Clients page for ${email}`);
    clientByEmail.set(email, page.id);
  }
  for (const email of plan.clientEmails) if (!clientByEmail.has(email)) out.push(`no Clients page for ${email}`);
  for (const email of clientByEmail.keys()) if (!plan.clientEmails.has(email)) out.push(`a Clients page for an unknown email ${JSON.stringify(email)}`);

  const live = ws.sessions();
  const byUid = new Map<string, typeof live>();
  for (const page of live) {
    const uid = String(page.plain['Booking UID'] ?? '');
    byUid.set(uid, [...(byUid.get(uid) ?? []), page]);
  }
  if (live.length !== plan.bookings.length) out.push(`${live.length} live Sessions pages for ${plan.bookings.length} bookings`);
  for (const b of plan.bookings) {
    const pages = byUid.get(b.finalUid) ?? [];
    if (pages.length !== 1) {
      out.push(`booking ${b.uid}: ${pages.length} live Sessions pages with Booking UID ${b.finalUid}`);
      continue;
    }
    const page = pages[0]!;
    const status = page.plain.Status;
    if (status !== expectedStatus(b)) out.push(`booking ${b.uid}: Status ${JSON.stringify(status)}, expected ${expectedStatus(b)}`);
    const when = dateOf(page);
    if (!when || !sameInstant(when.start, b.finalStart) || !sameInstant(when.end, b.finalEnd)) {
      out.push(`booking ${b.uid}: When ${JSON.stringify(when)}, expected ${b.finalStart} → ${b.finalEnd}`);
    }
    const relation = page.plain.Client;
    const clientPage = clientByEmail.get(b.clientEmail);
    if (!Array.isArray(relation) || relation.length !== 1 || relation[0] !== clientPage) {
      out.push(`booking ${b.uid}: Client ${JSON.stringify(relation)}, expected [${clientPage}] (${b.clientEmail})`);
    }
  }
  return out;
}

/** The most requests that arrived within any `windowMs` (every window starting at a request), and where. */
export function busiestWindow(requests: readonly RequestLogEntry[], windowMs: number): { count: number; fromMs: number } {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let best = { count: 0, fromMs: times[0] ?? 0 };
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    while (end < times.length && (times[end] as number) < (times[start] as number) + windowMs) end++;
    if (end - start > best.count) best = { count: end - start, fromMs: times[start] as number };
  }
  return best;
}
