// Where the Notion sink's pause lives between processes and leaders: the settings table, with the cause of
// the last 429/529 beside it so the admin page can say why the mirror waited (selectNotionPause).
import { selectNotionPause, upsertNotionPause } from '../../store/queries/notion.js';
import type { Db } from '../../store/store.js';
import type { PauseStore } from '../rate-limiter.js';

export function notionPauseStore(db: Db): PauseStore {
  return {
    async load() {
      return (await selectNotionPause(db))?.untilMs ?? 0;
    },
    async save(untilMs, cause) {
      await upsertNotionPause(db, untilMs, cause ?? null, new Date().toISOString());
    },
  };
}
