// The Notion mirror (when NOTION_TOKEN is set): the 'notion' sink that intake marks dirty, the start-up
// check, the worker that drains the sink, and POST /api/notion/notion-handler (503 notion_not_configured
// when Notion is off).
//
// The start-up check (data sources resolved, schemas checked) is `prepare`, which createApp awaits with
// the store open and before any route or worker exists: a database that does not fit the mapping makes
// createApp throw a ConfigError, so the app refuses to start with one line naming what is missing. Building
// the feature itself never calls Notion, so commands that only ask which sinks exist stay offline.
//
// The sink's code and the Notion client (@notionhq/client) are loaded by `prepare`, and only when Notion is
// on: a start without NOTION_TOKEN never loads them (issue 14, start-up time).
import { environment, type Config } from '../config.js';
import type { Feature } from '../feature.js';
import { notionHandlerRoutes } from '../http/routes/notion-handler.js';
import type { Leadership } from '../sinks/leadership.js';
import type { NotionTargets } from '../sinks/notion/data-sources.js';
import type { NotionSinkTuning } from '../sinks/notion/notion-sink.js';
import type { NotionSinkObserver } from '../sinks/notion/observer.js';
import { NOTION_PROPERTY_NAMES_VARIABLE, parsePropertyNames } from '../sinks/notion/property-names.js';
import { NOTION_SINK } from '../sinks/registry.js';
import type { Store } from '../store/store.js';

/** The Notion sink's modules, loaded on demand. */
const loadNotionSink = async () => {
  const [sink, metrics] = await Promise.all([import('../sinks/notion/notion-sink.js'), import('../sinks/notion/metrics.js')]);
  return { prepareNotion: sink.prepareNotion, createNotionWorker: sink.createNotionWorker, notionSinkObserverFor: metrics.notionSinkObserverFor };
};

export interface NotionFeatureExtras {
  /** Default: the app's metrics. */
  observer?: NotionSinkObserver;
  tuning?: Partial<NotionSinkTuning>;
  /** Where NOTION_PROPERTY_NAMES is read (default: the environment and .env, as loadConfig reads them). */
  env?: Record<string, string | undefined>;
  leadership?: (store: Store) => Leadership;
}

/** Throws a ConfigError for a bad NOTION_PROPERTY_NAMES. */
export function notionFeature(config: Config, extras: NotionFeatureExtras = {}): Feature {
  const notion = config.notion;
  if (notion === null) {
    return { name: 'notion', routes: () => ({ api: [notionHandlerRoutes({ enabled: false })] }) };
  }
  const names = parsePropertyNames((extras.env ?? environment())[NOTION_PROPERTY_NAMES_VARIABLE]);
  let targets: NotionTargets | null = null;
  let sinkCode: Awaited<ReturnType<typeof loadNotionSink>> | null = null;
  return {
    name: 'notion',
    sinks: [NOTION_SINK],
    async prepare({ store, log }) {
      sinkCode = await loadNotionSink();
      targets = await sinkCode.prepareNotion(notion, names, store, log);
    },
    routes: () => ({ api: [notionHandlerRoutes({ enabled: true })] }),
    workers: ({ store, log, metrics }) => {
      // createApp prepares every feature before it asks for workers (src/feature.ts).
      if (sinkCode === null) throw new Error('the notion feature was asked for workers before prepare()');
      const { createNotionWorker, notionSinkObserverFor } = sinkCode;
      return [
        createNotionWorker({
          config: notion,
          names,
          store,
          log,
          observer: extras.observer ?? notionSinkObserverFor(metrics),
          workObserver: metrics.sinkWork,
          targets,
          ...(extras.tuning ? { tuning: extras.tuning } : {}),
          ...(extras.leadership ? { leadership: extras.leadership(store) } : {}),
        }),
      ];
    },
  };
}
