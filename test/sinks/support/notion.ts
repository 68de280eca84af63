// Shared set-up of the Notion sink tests: the emulator with the two databases (the schema `calsync notion
// init` creates), the environment that points calsync at it, realistic Cal.com bodies, and bounded waits.
import { buildCalcomBody, type SampleOptions, type SampleTrigger } from '../../../src/calcom/samples.js';
import { DEFAULT_PROPERTY_NAMES, type PropertyNames } from '../../../src/sinks/notion/property-names.js';
import { clientsSchemaRequest, sessionsSchemaRequest } from '../../../src/sinks/notion/schema.js';
import { startNotionEmulator, type EmulatedPage, type NotionEmulator, type NotionEmulatorOptions } from '../../emulators/notion/index.js';
import { countSinkRowsByState } from '../../../src/store/queries/sink-work.js';
import type { TestServer } from '../../support/server.js';

export interface NotionWorkspace {
  emulator: NotionEmulator;
  clientsDatabaseId: string;
  sessionsDatabaseId: string;
  clientsDataSourceId: string;
  sessionsDataSourceId: string;
  /** Environment for loadConfig: token, database ids, API URL and rate. */
  env(rps?: number): Record<string, string>;
  clients(): EmulatedPage[];
  sessions(): EmulatedPage[];
  /** Every Sessions page (trashed ones too) whose Booking UID is `uid`. */
  sessionsWithUid(uid: string, includeTrashed?: boolean): EmulatedPage[];
  close(): Promise<void>;
}

export async function startNotionWorkspace(options: NotionEmulatorOptions = {}, names: PropertyNames = DEFAULT_PROPERTY_NAMES): Promise<NotionWorkspace> {
  const emulator = await startNotionEmulator(options);
  const parentPageId = emulator.state.createParentPage();
  const clients = emulator.state.createDatabase({ title: 'Clients', parentPageId, properties: clientsSchemaRequest(names) });
  const sessions = emulator.state.createDatabase({ title: 'Sessions', parentPageId, properties: sessionsSchemaRequest(names, clients.dataSourceId) });
  return {
    emulator,
    clientsDatabaseId: clients.databaseId,
    sessionsDatabaseId: sessions.databaseId,
    clientsDataSourceId: clients.dataSourceId,
    sessionsDataSourceId: sessions.dataSourceId,
    env: (rps = 30) => ({
      NOTION_TOKEN: emulator.token,
      NOTION_CLIENTS_DATABASE_ID: clients.databaseId,
      NOTION_SESSIONS_DATABASE_ID: sessions.databaseId,
      NOTION_API_URL: emulator.url,
      NOTION_RATE_LIMIT_RPS: String(rps),
    }),
    clients: () => emulator.pagesIn(clients.dataSourceId),
    sessions: () => emulator.pagesIn(sessions.dataSourceId),
    sessionsWithUid: (uid, includeTrashed = false) =>
      emulator.findPages(sessions.dataSourceId, (p) => p.plain['Booking UID'] === uid, { includeTrashed }),
    close: () => emulator.close(),
  };
}

/** A Cal.com body with a fresh uid unless given; attendee/organizer as given. */
export function calcomBody(trigger: SampleTrigger, options: SampleOptions = {}): Record<string, unknown> {
  return buildCalcomBody(trigger, options);
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** Polls `probe` until it returns a value that is not undefined/false, or fails after the deadline saying what it waited for. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, options: WaitOptions = {}): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false && value !== null) return value as Exclude<T, false | undefined | null>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/** Instants compared, not strings: Notion echoes dates in offset form (docs §4). */
export function sameInstant(a: unknown, b: string | null): boolean {
  if (typeof a !== 'string' || b === null) return a === b;
  return Date.parse(a) === Date.parse(b);
}

export function dateOf(page: EmulatedPage | undefined, property = 'When'): { start: string; end: string | null } | null {
  const value = page?.plain[property];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as { start: string; end: string | null }) : null;
}

/** Sends each body in turn through the test server's signed webhook route; every one must be accepted. */
export async function sendAllAccepted(server: TestServer, bodies: Record<string, unknown>[]): Promise<void> {
  for (const body of bodies) {
    const res = await server.sendWebhook(body);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  }
}

/** Waits until exactly `expected` appointments are mirrored and nothing else is in the sink's state table. */
export async function waitAllSynced(server: TestServer, expected: number, timeoutMs: number): Promise<void> {
  await waitFor(
    `${expected} appointments synced`,
    async () => {
      const states = await countSinkRowsByState(server.app.store.db, 'notion');
      return states.synced === expected && Object.keys(states).length === 1;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
