// One Clients page per email (trimmed, lower-cased). The first time an email is seen it is looked up in
// Notion (a person may have added the client already), created when absent, and the page id remembered in
// the store. Work on one email is serialised, so two bookings of a new client processed at once make one page.
import type { Client } from '@notionhq/client';
import type { Logger } from 'pino';
import { selectNotionClientPage, upsertNotionClientPage } from '../../store/queries/notion.js';
import { selectSetting, upsertSetting } from '../../store/queries/settings.js';
import type { Db } from '../../store/store.js';
import { KeyedMutex } from '../keyed-mutex.js';
import type { PropertyNames } from './property-names.js';
import { clientProperties, normaliseEmail, type ClientFacts } from './values.js';

/**
 * When the latest Clients page create was sent (epoch ms). A create whose sender died may land after a new
 * leader looked the email up and found nothing, so the new leader's takeover grace covers these too.
 */
const CLIENT_CREATE_ATTEMPT_SETTING = 'notion.client_create_attempted_ms';

export async function selectLatestClientCreateAttempt(db: Db): Promise<number | null> {
  const raw = await selectSetting(db, CLIENT_CREATE_ATTEMPT_SETTING);
  const at = raw === null ? NaN : Number(raw);
  return Number.isFinite(at) ? at : null;
}

export interface ClientPagesDeps {
  client: Client;
  db: Db;
  log: Logger;
  names: PropertyNames;
  dataSourceId: () => string;
}

export class ClientPages {
  private readonly perEmail = new KeyedMutex();

  constructor(private readonly deps: ClientPagesDeps) {}

  /** The client's page id, finding or creating the page. */
  ensure(facts: ClientFacts): Promise<string> {
    const email = normaliseEmail(facts.email);
    return this.perEmail.run(email, async () => {
      const cached = await selectNotionClientPage(this.deps.db, email);
      if (cached !== null) return cached;
      const found = await this.find(email);
      // A create that timed out or got a 5xx may have made the page: this look-up finds it next time.
      const pageId = found ?? (await this.create({ ...facts, email }));
      await upsertNotionClientPage(this.deps.db, email, pageId, new Date().toISOString());
      return pageId;
    });
  }

  private async find(email: string): Promise<string | null> {
    const emailProperty = this.deps.names.clients.Email as string;
    // Whether Notion's `equals` ignores case is not documented; `contains` finds "Ada@X.com" too, and the
    // exact comparison on normalised values happens here.
    const result = await this.deps.client.dataSources.query({
      data_source_id: this.deps.dataSourceId(),
      filter: { property: emailProperty, email: { contains: email } },
      sorts: [{ timestamp: 'created_time', direction: 'ascending' }],
      page_size: 100,
    });
    for (const page of result.results) {
      const value = 'properties' in page ? (page.properties[emailProperty] as { email?: string | null } | undefined) : undefined;
      if (value?.email && normaliseEmail(value.email) === email) return page.id;
    }
    return null;
  }

  private async create(facts: ClientFacts): Promise<string> {
    const now = new Date();
    await upsertSetting(this.deps.db, CLIENT_CREATE_ATTEMPT_SETTING, String(now.getTime()), now.toISOString());
    const page = await this.deps.client.pages.create({
      parent: { data_source_id: this.deps.dataSourceId() },
      properties: clientProperties(facts, this.deps.names) as Parameters<Client['pages']['create']>[0]['properties'],
    });
    this.deps.log.info({ page_id: page.id }, 'created a Notion client page');
    return page.id;
  }
}
