// The Notion mirror's own tables (migration 002): client pages by email, Sessions pages that predate this
// store, and creates that may have reached Notion without an answer.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { Db } from '../store.js';
import { selectSetting, upsertSetting } from './settings.js';

interface NotionClientsTable {
  email: string;
  page_id: string;
  updated_at: string;
}

interface NotionKnownSessionsTable {
  booking_uid: string;
  page_id: string;
}

interface NotionSessionCreatesTable {
  booking_uid: string;
  appointment_id: number;
  attempted_at_ms: number;
}

interface NotionTables {
  notion_clients: NotionClientsTable;
  notion_known_sessions: NotionKnownSessionsTable;
  notion_session_creates: NotionSessionCreatesTable;
}

/** The shared row types (src/store/schema.ts) do not list these tables; they exist from migration 002 on. */
function withNotionTables(db: Db): Kysely<Database & NotionTables> {
  return db as unknown as Kysely<Database & NotionTables>;
}

export async function selectNotionClientPage(db: Db, email: string): Promise<string | null> {
  const row = await withNotionTables(db).selectFrom('notion_clients').select('page_id').where('email', '=', email).executeTakeFirst();
  return row?.page_id ?? null;
}

export async function upsertNotionClientPage(db: Db, email: string, pageId: string, at: string): Promise<void> {
  await withNotionTables(db)
    .insertInto('notion_clients')
    .values({ email, page_id: pageId, updated_at: at })
    .onConflict((oc) => oc.column('email').doUpdateSet({ page_id: pageId, updated_at: at }))
    .execute();
}

export async function countNotionClientPages(db: Db): Promise<number> {
  const row = await withNotionTables(db).selectFrom('notion_clients').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertKnownSessionPages(db: Db, pages: readonly { bookingUid: string; pageId: string }[]): Promise<void> {
  if (pages.length === 0) return;
  // The oldest page of a uid wins (the scan reads pages oldest first), as the look-up does.
  await withNotionTables(db)
    .insertInto('notion_known_sessions')
    .values(pages.map((p) => ({ booking_uid: p.bookingUid, page_id: p.pageId })))
    .onConflict((oc) => oc.column('booking_uid').doNothing())
    .execute();
}

/** Whether any of these uids may already have a Sessions page that no sink_state row points at. */
export async function hasSessionPageHint(db: Db, uids: readonly string[]): Promise<boolean> {
  if (uids.length === 0) return false;
  const t = withNotionTables(db);
  const known = await t.selectFrom('notion_known_sessions').select('booking_uid').where('booking_uid', 'in', uids).limit(1).executeTakeFirst();
  if (known) return true;
  const attempted = await t.selectFrom('notion_session_creates').select('booking_uid').where('booking_uid', 'in', uids).limit(1).executeTakeFirst();
  return attempted !== undefined;
}

/** Written before a create is sent, so that a crash or a lost answer leads to a look-up, not a second page. */
export async function recordSessionCreateAttempt(db: Db, appointmentId: number, uids: readonly string[], nowMs: number): Promise<void> {
  if (uids.length === 0) return;
  await withNotionTables(db)
    .insertInto('notion_session_creates')
    .values(uids.map((uid) => ({ booking_uid: uid, appointment_id: appointmentId, attempted_at_ms: nowMs })))
    .onConflict((oc) => oc.column('booking_uid').doUpdateSet({ appointment_id: appointmentId, attempted_at_ms: nowMs }))
    .execute();
}

/** Once the page id is stored on the sink_state row, the hints about these uids have done their job. */
export async function clearSessionPageHints(db: Db, uids: readonly string[]): Promise<void> {
  if (uids.length === 0) return;
  const t = withNotionTables(db);
  await t.deleteFrom('notion_session_creates').where('booking_uid', 'in', uids).execute();
  await t.deleteFrom('notion_known_sessions').where('booking_uid', 'in', uids).execute();
}

/** When the latest unanswered create was sent (epoch ms), or null. */
export async function selectLatestSessionCreateAttempt(db: Db): Promise<number | null> {
  const row = await withNotionTables(db)
    .selectFrom('notion_session_creates')
    .select((eb) => eb.fn.max('attempted_at_ms').as('latest'))
    .executeTakeFirst();
  return row?.latest === null || row?.latest === undefined ? null : Number(row.latest);
}

/** Until when Notion asked the sink to wait (epoch ms, as text); read by every new leader and process. */
export const NOTION_PAUSE_UNTIL_SETTING = 'notion.paused_until_ms';
/** Why: the last 429/529 that paused the sink (JSON of NotionPauseCause), shown on the admin page. */
export const NOTION_PAUSE_CAUSE_SETTING = 'notion.pause_cause';

export interface NotionPauseCause {
  /** 429 or 529. */
  status: number;
  /** Notion's code: rate_limited or service_overload. */
  code: string;
  /** 429's `additional_data.rate_limit_reason` (which limit was hit), null when Notion gave none. */
  reason: string | null;
  /** One line for a person: what happened and how long the sink waits. */
  message: string;
  /** When the answer came (ISO). */
  at: string;
}

export interface NotionPause {
  untilMs: number;
  cause: NotionPauseCause | null;
}

/** Persists a sink-wide pause, with its cause when Notion gave one (a 429 or 529). */
export async function upsertNotionPause(db: Db, untilMs: number, cause: NotionPauseCause | null, at: string): Promise<void> {
  await upsertSetting(db, NOTION_PAUSE_UNTIL_SETTING, String(untilMs), at);
  if (cause !== null) await upsertSetting(db, NOTION_PAUSE_CAUSE_SETTING, JSON.stringify(cause), at);
}

/** The last persisted pause (it may have ended) and its cause; null when the sink was never paused. */
export async function selectNotionPause(db: Db): Promise<NotionPause | null> {
  const rawUntil = await selectSetting(db, NOTION_PAUSE_UNTIL_SETTING);
  const rawCause = await selectSetting(db, NOTION_PAUSE_CAUSE_SETTING);
  if (rawUntil === null && rawCause === null) return null;
  const until = rawUntil === null ? 0 : Number(rawUntil);
  return { untilMs: Number.isFinite(until) ? until : 0, cause: parsePauseCause(rawCause) };
}

function parsePauseCause(raw: string | null): NotionPauseCause | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<NotionPauseCause> | null;
    if (!v || typeof v.status !== 'number' || typeof v.code !== 'string' || typeof v.message !== 'string' || typeof v.at !== 'string') return null;
    return { status: v.status, code: v.code, reason: typeof v.reason === 'string' ? v.reason : null, message: v.message, at: v.at };
  } catch {
    return null;
  }
}
