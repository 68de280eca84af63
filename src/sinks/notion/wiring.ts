// Adds the Notion mirror to the app's options (called from compose.ts): the 'notion' sink that intake marks
// dirty, the worker that drains it, and POST /api/notion/notion-handler.
//
// The start-up check (data sources resolved, schemas checked) runs inside the route's plugin, which
// createApp awaits while it builds the server, with the store open: a database that does not fit the
// mapping makes createApp throw a ConfigError, so the app refuses to start with one line naming what is
// missing. compose stays synchronous, and commands that only read the options (e.g. which sinks exist)
// never call Notion.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AppOptions } from '../../app.js';
import { environment, type Config } from '../../config.js';
import { notionHandlerRoutes } from '../../http/routes/notion-handler.js';
import type { ServerDeps } from '../../http/server.js';
import type { Store } from '../../store/store.js';
import type { Leadership } from '../leadership.js';
import type { NotionTargets } from './data-sources.js';
import { NOTION_SINK, createNotionWorker, prepareNotion, type NotionSinkTuning } from './notion-sink.js';
import { NO_NOTION_OBSERVER, type NotionSinkObserver } from './observer.js';
import { NOTION_PROPERTY_NAMES_VARIABLE, parsePropertyNames } from './property-names.js';

export interface NotionWiringExtras {
  observer?: NotionSinkObserver;
  tuning?: Partial<NotionSinkTuning>;
  /** Where NOTION_PROPERTY_NAMES is read (default: the environment and .env, as loadConfig reads them). */
  env?: Record<string, string | undefined>;
  leadership?: (store: Store) => Leadership;
}

/** Mutates `options`. Throws a ConfigError for a bad NOTION_PROPERTY_NAMES. */
export function addNotion(options: AppOptions, config: Config, log: Logger, extras: NotionWiringExtras = {}): void {
  const notion = config.notion;
  const route = notionHandlerRoutes({ enabled: notion !== null });
  options.extensions ??= {};
  if (notion === null) {
    options.extensions.api = [...(options.extensions.api ?? []), route];
    return;
  }
  const names = parsePropertyNames((extras.env ?? environment())[NOTION_PROPERTY_NAMES_VARIABLE]);
  let targets: NotionTargets | null = null;
  const checkThenRoute = async (api: FastifyInstance, deps: ServerDeps) => {
    targets = await prepareNotion(notion, names, deps.store, log);
    await route(api, deps);
  };
  options.extensions.api = [...(options.extensions.api ?? []), checkThenRoute];
  options.sinks = [...(options.sinks ?? []), NOTION_SINK];
  const previous = options.workers;
  options.workers = (parts) => {
    const worker = createNotionWorker({
      config: notion,
      names,
      store: parts.store,
      log: parts.log,
      observer: extras.observer ?? NO_NOTION_OBSERVER,
      targets,
      ...(extras.tuning ? { tuning: extras.tuning } : {}),
      ...(extras.leadership ? { leadership: extras.leadership(parts.store) } : {}),
    });
    return [...(previous?.(parts) ?? []), worker];
  };
}
