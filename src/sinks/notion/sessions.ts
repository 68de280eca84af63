// One Sessions page per booking, also across reschedules. A sync writes the appointment's current state:
// update the page it has, or find the booking's page by Booking UID, or create one.
//
// No duplicate page, ever: a create that timed out, got a 5xx or a 504, or was cut short by a crash may
// have made its page. Before a create is sent its uids are recorded in the store; while that record stands
// (or a page for the uid predates this store), the next attempt looks the page up by Booking UID (any of the
// booking's uids) before creating. A booking never attempted, with no earlier page, is created straight away.
import type { Client } from '@notionhq/client';
import type { Logger } from 'pino';
import { clearSessionPageHints, hasSessionPageHint, recordSessionCreateAttempt } from '../../store/queries/notion.js';
import type { Db } from '../../store/store.js';
import type { SinkAppointment, SinkTask, SyncContext, SyncResult } from '../sink.js';
import type { ClientPages } from './clients.js';
import { isObjectNotFound, isTrashedPageRefusal } from './errors.js';
import type { PropertyNames } from './property-names.js';
import { clientOf, sessionProperties } from './values.js';

/** Client changes followed within one sync before giving up for now (a transient failure, retried). */
const MAX_CLIENT_ROUNDS = 3;
/** A compound filter takes this many uids at most (Notion caps filter sizes; a booking rarely has > 3). */
const UIDS_PER_LOOKUP = 50;

type PageProperties = Parameters<Client['pages']['create']>[0]['properties'];

export interface SessionPagesDeps {
  client: Client;
  db: Db;
  log: Logger;
  names: PropertyNames;
  clients: ClientPages;
  dataSourceId: () => string;
  now: () => number;
}

/** An appointment that cannot be mirrored at all (not a Notion refusal). */
export class UnsyncableAppointmentError extends Error {
  override readonly name = 'UnsyncableAppointmentError';
}

export class SessionPages {
  constructor(private readonly deps: SessionPagesDeps) {}

  async sync(task: SinkTask, ctx: SyncContext): Promise<SyncResult> {
    const { db, log } = this.deps;
    const { appointment, clientPageId } = await this.currentWithClient(task, ctx);
    const uids = appointment.uids;
    const properties = sessionProperties(appointment.view, uids, clientPageId, this.deps.names) as PageProperties;
    const result = (pageId: string): SyncResult => ({ externalId: pageId, syncedVersion: appointment.version });

    if (task.externalId !== null) {
      if (await this.update(task.externalId, properties)) return result(task.externalId);
      log.warn({ appointment_id: appointment.id, page_id: task.externalId }, 'the Sessions page is gone from Notion; finding or creating it again');
    }

    if (task.externalId !== null || (await hasSessionPageHint(db, uids))) {
      const found = await this.findByUids(uids);
      if (found !== null) {
        await ctx.saveExternalId(found);
        await clearSessionPageHints(db, uids);
        if (!(await this.update(found, properties))) throw new Error(`Sessions page ${found} vanished while being adopted`);
        return result(found);
      }
    }

    await recordSessionCreateAttempt(db, appointment.id, uids, this.deps.now());
    const page = await this.deps.client.pages.create({ parent: { data_source_id: this.deps.dataSourceId() }, properties });
    await ctx.saveExternalId(page.id);
    await clearSessionPageHints(db, uids);
    return result(page.id);
  }

  /**
   * The appointment as it is now, with its client's page. Finding or creating the client can wait on the
   * rate limit; the appointment is read again afterwards so that changes made meanwhile go into this write.
   */
  private async currentWithClient(task: SinkTask, ctx: SyncContext): Promise<{ appointment: SinkAppointment; clientPageId: string | null }> {
    const appointmentId = task.appointmentId;
    let clientPageId: string | null = null;
    let clientEmail: string | null = null;
    for (let round = 0; ; round += 1) {
      const appointment = round === 0 ? task.appointment : await ctx.reload();
      if (!appointment) throw new UnsyncableAppointmentError(`appointment ${appointmentId} does not exist`);
      const client = clientOf(appointment.view);
      if ((client?.email ?? null) === clientEmail) return { appointment, clientPageId };
      if (round >= MAX_CLIENT_ROUNDS) throw new Error(`appointment ${appointmentId} keeps changing its client; trying again later`);
      clientEmail = client?.email ?? null;
      clientPageId = client ? await this.deps.clients.ensure(client) : null;
    }
  }

  /** Moves a duplicate page (of a merged appointment) to the trash; already trashed or gone is done. */
  async trash(pageId: string): Promise<void> {
    try {
      await this.deps.client.pages.update({ page_id: pageId, in_trash: true });
    } catch (err) {
      if (isObjectNotFound(err) || isTrashedPageRefusal(err)) return;
      throw err;
    }
  }

  /** Writes the properties; false when the page no longer exists. A page someone trashed is restored. */
  private async update(pageId: string, properties: PageProperties): Promise<boolean> {
    try {
      await this.deps.client.pages.update({ page_id: pageId, properties });
      return true;
    } catch (err) {
      if (isObjectNotFound(err)) return false;
      if (!isTrashedPageRefusal(err)) throw err;
    }
    // The mirror shows every appointment: a trashed session page comes back with the current values.
    this.deps.log.info({ page_id: pageId }, 'restoring a trashed Sessions page');
    await this.deps.client.pages.update({ page_id: pageId, in_trash: false, properties });
    return true;
  }

  /** The booking's page (the oldest, if a duplicate ever slipped in; the others are trashed). */
  private async findByUids(uids: readonly string[]): Promise<string | null> {
    const bookingUid = this.deps.names.sessions['Booking UID'] as string;
    const pages: { id: string; created: string }[] = [];
    for (let i = 0; i < uids.length; i += UIDS_PER_LOOKUP) {
      const chunk = uids.slice(i, i + UIDS_PER_LOOKUP);
      const conditions = chunk.map((uid) => ({ property: bookingUid, rich_text: { equals: uid } }));
      const response = await this.deps.client.dataSources.query({
        data_source_id: this.deps.dataSourceId(),
        filter: conditions.length === 1 ? (conditions[0] as (typeof conditions)[number]) : { or: conditions },
        sorts: [{ timestamp: 'created_time', direction: 'ascending' }],
        page_size: 100,
      });
      for (const page of response.results) pages.push({ id: page.id, created: 'created_time' in page ? page.created_time : '' });
    }
    if (pages.length === 0) return null;
    // created_time is rounded to the minute; the query's own order (ascending) breaks ties.
    const [keep, ...extra] = pages.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
    for (const duplicate of extra) {
      this.deps.log.warn({ page_id: duplicate.id, kept: keep?.id }, 'trashing a duplicate Sessions page of one booking');
      await this.trash(duplicate.id);
    }
    return keep?.id ?? null;
  }
}
