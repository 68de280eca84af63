// What every endpoint handler receives. Handlers are synchronous: each request's reads and writes happen
// in one turn of the event loop, which makes concurrent requests atomic (Notion gives no more than that).
import type { JsonObject } from '../json.js';
import type { Random } from '../prng.js';
import type { ApiVersion } from '../store/records.js';
import type { NotionStore } from '../store/state.js';

export interface HandlerContext {
  version: ApiVersion;
  /** Path ids, already validated and normalised to the dashed form. */
  params: Record<string, string>;
  /** The JSON body, `{}` when the request had none (the SDK omits empty bodies). */
  body: JsonObject;
  query: URLSearchParams;
  store: NotionStore;
  /** Source of property and option ids. */
  random: Random;
}

export type Handler = (ctx: HandlerContext) => JsonObject;

/** `filter_properties` query values (ids or names), or null for every property. */
export function filterProperties(query: URLSearchParams): string[] | null {
  const values = query.getAll('filter_properties');
  return values.length === 0 ? null : values;
}

export function param(ctx: HandlerContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route is missing the :${name} parameter`);
  return value;
}
