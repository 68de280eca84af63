// GET /v1/blocks/:block_id/children for a parent page: its child databases as `child_database` blocks
// (the only children the emulator models), oldest first, in pages of page_size (default 100, max 100).
import { plainText } from '../rich-text.js';
import { param, type Handler } from './context.js';

const MAX_PAGE_SIZE = 100;

export const listBlockChildren: Handler = (ctx) => {
  const parent = param(ctx, 'block_id');
  const size = Math.min(MAX_PAGE_SIZE, Math.max(1, Number(ctx.query.get('page_size') ?? MAX_PAGE_SIZE) || MAX_PAGE_SIZE));
  const children = [...ctx.store.databases.values()].filter((db) => db.parentPageId === parent && !db.inTrash);
  const cursor = ctx.query.get('start_cursor');
  const from = cursor === null ? 0 : Math.max(0, children.findIndex((db) => db.id === cursor));
  const page = children.slice(from, from + size);
  const next = children[from + size];
  return {
    object: 'list',
    type: 'block',
    block: {},
    results: page.map((db) => ({
      object: 'block',
      id: db.id,
      parent: { type: 'page_id', page_id: parent },
      type: 'child_database',
      has_children: false,
      in_trash: false,
      // 2026-03-11 dropped `archived` from answers (render.ts trashFields); older versions carry both.
      ...(ctx.version === '2026-03-11' ? {} : { archived: false }),
      created_time: new Date(db.createdTime).toISOString(),
      last_edited_time: new Date(db.lastEditedTime).toISOString(),
      child_database: { title: plainText(db.title) },
    })),
    next_cursor: next === undefined ? null : next.id,
    has_more: next !== undefined,
  };
};
