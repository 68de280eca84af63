// The Notion sink assembled: one client whose every request goes through the sink's rate limiter, the
// leader's worker that drains due sink_state rows, and the start-up check.
import type { Logger } from 'pino';
import { ConfigError, type NotionConfig } from '../../config.js';
import { selectLatestSessionCreateAttempt } from '../../store/queries/notion.js';
import { isExternalIdInUse } from '../../store/queries/sink-work.js';
import type { Store } from '../../store/store.js';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../backoff.js';
import { createLeadership, DEFAULT_LEADERSHIP, type Leadership, type LeadershipOptions } from '../leadership.js';
import { RateLimiter, type PauseStore } from '../rate-limiter.js';
import { NO_SINK_WORK_OBSERVER, type FailureClass, type Sink, type SinkWorkObserver } from '../sink.js';
import { NOTION_SINK } from '../registry.js';
import { SinkWorker, type SinkWorkerTuning } from '../worker.js';
import { ClientPages, selectLatestClientCreateAttempt } from './clients.js';
import { createNotionClient } from './client.js';
import { loadKnownTargets, resolveAndCheckTargets, saveTargets, type NotionTargets } from './data-sources.js';
import { classifyNotionError } from './errors.js';
import { limitedFetch } from './limited-fetch.js';
import { NO_NOTION_OBSERVER, type NotionSinkObserver } from './observer.js';
import { notionPauseStore } from './pause-store.js';
import type { PropertyNames } from './property-names.js';
import { isSessionsScanDone, scanExistingSessions } from './scan.js';
import { SessionPages, UnsyncableAppointmentError } from './sessions.js';

/** The name the sink registers under (sinks/registry.ts), for the feature that lists it. */
export { NOTION_SINK };
/** How often, and how patiently, start-up tries to reach Notion before starting without it. */
const STARTUP_ATTEMPTS = 3;
const STARTUP_RETRY_DELAY_MS = 1_000;
const STARTUP_REQUEST_TIMEOUT_MS = 10_000;

export interface NotionSinkTuning extends SinkWorkerTuning {
  /** A request with no answer after this long is aborted (and its sync retried). */
  requestTimeoutMs: number;
  /** Requests the limiter lets go back to back after an idle spell. */
  burst: number;
  leadership: LeadershipOptions;
  /**
   * After a restart or a change of leader, a create sent this recently by the previous worker may still
   * land in Notion: the sink waits this long after it before looking bookings up.
   */
  takeoverGraceMs: number;
  /** This many failed syncs in a row (Notion down) pause the whole sink, growing like the row backoff. */
  outageFailureThreshold: number;
  outageMaxPauseMs: number;
}

export const DEFAULT_NOTION_TUNING: NotionSinkTuning = {
  concurrency: 8,
  pollIntervalMs: 250,
  claimLeaseMs: 5 * 60_000,
  errorDelayMs: 1_000,
  maxErrorDelayMs: 30_000,
  backoff: DEFAULT_BACKOFF,
  requestTimeoutMs: 30_000,
  burst: 1,
  leadership: DEFAULT_LEADERSHIP,
  takeoverGraceMs: 10_000,
  outageFailureThreshold: 3,
  outageMaxPauseMs: 30_000,
};

export interface NotionSinkDeps {
  config: NotionConfig;
  names: PropertyNames;
  store: Store;
  log: Logger;
  observer: NotionSinkObserver;
  /** Data sources resolved and checked at start-up; null when Notion could not be reached then. */
  targets: NotionTargets | null;
  tuning?: Partial<NotionSinkTuning>;
  /** Overrides for tests: the leadership (default: advisory lock on PostgreSQL, always on SQLite). */
  leadership?: Leadership;
  /** Counts syncs by sink name (the app's metrics); the Notion-specific counts go to `observer`. */
  workObserver?: SinkWorkObserver;
}

export function createNotionWorker(deps: NotionSinkDeps): SinkWorker {
  const tuning = { ...DEFAULT_NOTION_TUNING, ...deps.tuning };
  const { store, config, names, observer } = deps;
  const log = deps.log.child({ sink: NOTION_SINK });
  // The worker and the leadership add `sink` to their own lines: they get the unbound logger, or it would appear twice.
  const leadership = deps.leadership ?? createLeadership(store, NOTION_SINK, deps.log, tuning.leadership);
  const limiter = new RateLimiter({ ratePerSecond: config.rateLimitRps, burst: tuning.burst, pauseStore: settingsPauseStore(store) });
  const client = createNotionClient({
    token: config.token,
    apiUrl: config.apiUrl,
    log,
    fetch: limitedFetch({ limiter, isLeader: () => leadership.isLeader(), observer, log, requestTimeoutMs: tuning.requestTimeoutMs }),
  });
  let targets = deps.targets;
  const current = (): NotionTargets => {
    if (!targets) throw new Error('Notion data sources are not resolved yet');
    return targets;
  };
  const clients = new ClientPages({ client, db: store.db, log, names, dataSourceId: () => current().clientsDataSourceId });
  const sessions = new SessionPages({ client, db: store.db, log, names, clients, dataSourceId: () => current().sessionsDataSourceId, now: Date.now });
  let failuresInARow = 0;

  const sink: Sink = {
    name: NOTION_SINK,
    backfill: true,
    async prepare() {
      const at = new Date().toISOString();
      await limiter.loadPersistedPause();
      // Creates the previous worker sent just before it died may still land: wait before looking them up.
      const lastCreate = Math.max((await selectLatestSessionCreateAttempt(store.db)) ?? 0, (await selectLatestClientCreateAttempt(store.db)) ?? 0);
      if (lastCreate > 0 && lastCreate + tuning.takeoverGraceMs > Date.now()) {
        await limiter.pauseUntil(lastCreate + tuning.takeoverGraceMs, { persist: false });
      }
      targets ??= await resolveAndCheckTargets(client, config, names, log, await loadKnownTargets(store.db, config));
      await saveTargets(store.db, targets, at);
      if (!(await isSessionsScanDone(store.db, targets.sessionsDataSourceId))) {
        await scanExistingSessions(client, store.db, targets.sessionsDataSourceId, names.sessions['Booking UID'] as string, log);
      }
    },
    async sync(task, ctx) {
      const result = await sessions.sync(task, ctx);
      failuresInARow = 0;
      return result;
    },
    async retire(task) {
      if (task.externalId === null) return;
      // The survivor of the merge may have adopted this very page (e.g. found it by Booking UID).
      if (await isExternalIdInUse(store.db, NOTION_SINK, task.externalId, task.appointmentId)) return;
      await sessions.trash(task.externalId);
    },
    classify(err) {
      const failure: FailureClass =
        err instanceof UnsyncableAppointmentError || err instanceof ConfigError ? { kind: 'permanent', message: err.message } : classifyNotionError(err);
      if (failure.kind === 'transient') noteOutage();
      return failure;
    },
    stopping: () => limiter.close(),
  };

  // Side effect of classifying: while Notion is down every sync fails; rather than every row probing on its
  // own schedule, the whole sink pauses, longer with each failure, until a sync succeeds again.
  function noteOutage(): void {
    // Syncs that were in flight together fail together: one step per pause, not one per sync.
    if (Date.now() < limiter.pausedUntil) return;
    failuresInARow += 1;
    const beyond = failuresInARow - tuning.outageFailureThreshold + 1;
    if (beyond < 1) return;
    const pauseMs = backoffDelayMs(beyond, { baseDelayMs: tuning.backoff.baseDelayMs, maxDelayMs: tuning.outageMaxPauseMs });
    void limiter.pauseUntil(Date.now() + pauseMs, { persist: false });
  }

  const workObserver = deps.workObserver ?? NO_SINK_WORK_OBSERVER;
  return new SinkWorker({
    sink,
    store,
    log: deps.log,
    leadership,
    tuning,
    // The generic counts by sink name, and the Notion counters that predate them (kept for dashboards).
    observer: {
      synced(name) {
        workObserver.synced(name);
        observer.synced();
      },
      retried(name, reason) {
        workObserver.retried(name, reason);
        observer.retried(reason);
      },
      failed(name) {
        workObserver.failed(name);
        observer.failed();
      },
    },
  });
}

function settingsPauseStore(store: Store): PauseStore {
  return notionPauseStore(store.db);
}


/**
 * The start-up step: resolves both data sources (using the ids remembered in the store, else from the
 * databases) and checks their schemas. A problem a person must fix (missing or mistyped properties, bad
 * token, database not shared) throws a ConfigError, so the app refuses to start with one line naming it.
 * If Notion cannot be reached, start-up goes on without it (webhooks are still taken) and the worker runs
 * the same check before its first sync.
 */
export async function prepareNotion(config: NotionConfig, names: PropertyNames, store: Store, log: Logger): Promise<NotionTargets | null> {
  const limiter = new RateLimiter({ ratePerSecond: config.rateLimitRps, pauseStore: settingsPauseStore(store) });
  await limiter.loadPersistedPause();
  const client = createNotionClient({
    token: config.token,
    apiUrl: config.apiUrl,
    log,
    fetch: limitedFetch({ limiter, isLeader: () => true, observer: NO_NOTION_OBSERVER, log, requestTimeoutMs: STARTUP_REQUEST_TIMEOUT_MS, maxRateLimitResends: 3 }),
  });
  const known = await loadKnownTargets(store.db, config);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const targets = await resolveAndCheckTargets(client, config, names, log, known);
      await saveTargets(store.db, targets, new Date().toISOString());
      log.info({ clients_data_source: targets.clientsDataSourceId, sessions_data_source: targets.sessionsDataSourceId }, 'Notion databases checked');
      return targets;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      if (attempt >= STARTUP_ATTEMPTS) {
        log.warn({ err }, 'Notion cannot be reached at start-up; starting anyway, the mirror catches up when it answers');
        return null;
      }
      await new Promise((resolve) => setTimeout(resolve, STARTUP_RETRY_DELAY_MS * attempt));
    }
  }
}
