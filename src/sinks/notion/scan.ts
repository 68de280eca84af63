// The first time a store meets a Sessions data source, it reads which bookings already have a page there
// (a previous installation, a restored backup, a wiped DATA_DIR). Those uids are then looked up before
// any create, like an unanswered create; every other new booking is created without a look-up. One query
// per 100 existing pages, once.
import type { Client } from '@notionhq/client';
import type { Logger } from 'pino';
import { insertKnownSessionPages } from '../../store/queries/notion.js';
import { selectSetting, upsertSetting } from '../../store/queries/settings.js';
import type { Db } from '../../store/store.js';
import { plainTextOf } from './values.js';

const SCAN_PAGE_SIZE = 100;

export function scanSettingKey(dataSourceId: string): string {
  return `notion.sessions_scanned.${dataSourceId}`;
}

export async function isSessionsScanDone(db: Db, dataSourceId: string): Promise<boolean> {
  return (await selectSetting(db, scanSettingKey(dataSourceId))) !== null;
}

/** Reads every Sessions page with a Booking UID into notion_known_sessions, then marks the scan done. */
export async function scanExistingSessions(client: Client, db: Db, dataSourceId: string, bookingUidProperty: string, log: Logger): Promise<number> {
  let cursor: string | undefined;
  let found = 0;
  for (;;) {
    const response = await client.dataSources.query({
      data_source_id: dataSourceId,
      filter: { property: bookingUidProperty, rich_text: { is_not_empty: true } },
      sorts: [{ timestamp: 'created_time', direction: 'ascending' }],
      page_size: SCAN_PAGE_SIZE,
      ...(cursor ? { start_cursor: cursor } : {}),
    });
    const pages = response.results.flatMap((page) => {
      const uid = 'properties' in page ? plainTextOf(page.properties[bookingUidProperty]).trim() : '';
      return uid ? [{ bookingUid: uid, pageId: page.id }] : [];
    });
    await insertKnownSessionPages(db, pages);
    found += pages.length;
    if (!response.has_more || !response.next_cursor) break;
    cursor = response.next_cursor;
  }
  await upsertSetting(db, scanSettingKey(dataSourceId), new Date().toISOString(), new Date().toISOString());
  log.info({ data_source_id: dataSourceId, pages: found }, 'read the existing Sessions pages of the Notion database');
  return found;
}
