// Prometheus metrics. Each app has its own registry (never prom-client's global one), so several apps in
// one process (tests, a CLI command next to a server) never clash or mix their counts. Process metrics
// (memory, CPU, event loop) describe the process, not an app, so they live in one process-wide registry
// that every app's /metrics output includes.
import client from 'prom-client';
import { isTrigger } from './calcom/triggers.js';
import type { IntakeObserver } from './intake/observer.js';
import type { IntakeOutcome } from './intake/record-event.js';
import { sinkLabel } from './sinks/registry.js';
import type { SinkWorkObserver } from './sinks/sink.js';
import { selectSyncBacklog, type SyncBacklogRow } from './store/queries/sink-admin.js';
import type { Store } from './store/store.js';

const INTAKE_LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Sink states a scrape always reports (as 0 when empty), so alert rules see a series before trouble starts. */
const REPORTED_SINK_STATES = ['pending', 'retrying', 'failed', 'orphaned'] as const;
/** Label for a trigger name that is not one of Cal.com's: a signed sender could otherwise mint label values. */
const UNKNOWN_TRIGGER = 'unknown';

let processRegistry: client.Registry | null = null;

/** The process-wide registry of default metrics, created on first use. */
function processMetrics(): client.Registry {
  if (!processRegistry) {
    processRegistry = new client.Registry();
    client.collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export interface MetricsOptions {
  /** Sinks the app mirrors to; their backlog is reported even when empty. Read at each scrape. */
  sinks?: () => readonly string[];
}

export interface Metrics {
  readonly registry: client.Registry;
  readonly intakeObserver: IntakeObserver;
  /** What every sink worker reports, counted by sink name (registered names only: src/sinks/registry.ts). */
  readonly sinkWork: SinkWorkObserver;
  /** Lets the sync-backlog gauges read sink_state at each scrape. */
  watchStore(store: Store): void;
  /** The Prometheus text exposition of the process and app metrics. */
  text(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new client.Registry();
  const registers = [registry];
  let store: Store | null = null;

  const received = new client.Counter({
    name: 'calsync_webhooks_received_total',
    help: 'Signed webhook deliveries by trigger and result (processed, skipped, parked, duplicate, rejected)',
    labelNames: ['trigger', 'result'] as const,
    registers,
  });
  const rejected = new client.Counter({
    name: 'calsync_webhooks_rejected_total',
    help: 'Signed deliveries refused with a 4xx, by error code',
    labelNames: ['code'] as const,
    registers,
  });
  const signatureFailures = new client.Counter({
    name: 'calsync_webhook_signature_failures_total',
    help: 'Requests to the webhook endpoint refused for a missing, malformed or wrong signature',
    labelNames: ['reason'] as const,
    registers,
  });
  const intakeDuration = new client.Histogram({
    name: 'calsync_intake_duration_seconds',
    help: 'From the signed request to the durable commit of its event, by result',
    labelNames: ['result'] as const,
    buckets: INTAKE_LATENCY_BUCKETS_S,
    registers,
  });
  const sinkSyncs = new client.Counter({
    name: 'calsync_sink_syncs_total',
    help: 'Appointment syncs by sink and result: synced, or failed (the sink refused this version; waits for a new one)',
    labelNames: ['sink', 'result'] as const,
    registers,
  });
  const sinkRetries = new client.Counter({
    name: 'calsync_sink_retries_total',
    help: 'Syncs that failed transiently and were rescheduled, by sink',
    labelNames: ['sink', 'reason'] as const,
    registers,
  });

  // Both gauges come from one query; the registry collects metrics concurrently, so one in-flight read serves both.
  let backlogRead: Promise<SyncBacklogRow[] | null> | null = null;
  function readBacklog(): Promise<SyncBacklogRow[] | null> {
    if (!store) return Promise.resolve(null);
    const current = store;
    backlogRead ??= selectSyncBacklog(current.db)
      .catch(() => null)
      .finally(() => {
        backlogRead = null;
      });
    return backlogRead;
  }
  function sinksOf(rows: readonly SyncBacklogRow[]): Set<string> {
    // Label values are registered sink names only (any other stored name counts under one fixed label).
    return new Set([...(options.sinks?.() ?? []), ...rows.map((r) => r.sink)].map(sinkLabel));
  }

  new client.Gauge({
    name: 'calsync_metrics_store_up',
    help: '1 when the last scrape could read the sync backlog from the store, else 0',
    registers,
    async collect() {
      this.set(store && (await readBacklog()) !== null ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'calsync_sync_backlog',
    help: 'Appointments whose mirror is not in sync, by sink and state (pending, retrying, failed, orphaned)',
    labelNames: ['sink', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      const rows = await readBacklog();
      if (!rows) return;
      for (const sink of sinksOf(rows)) for (const state of REPORTED_SINK_STATES) this.set({ sink, state }, 0);
      for (const r of rows) this.inc({ sink: sinkLabel(r.sink), state: r.state }, r.count);
    },
  });
  new client.Gauge({
    name: 'calsync_sync_oldest_unsynced_age_seconds',
    help: 'Age of the oldest change not yet mirrored, by sink (0 when in sync; a lower bound, see sink-admin.ts)',
    labelNames: ['sink'] as const,
    registers,
    async collect() {
      this.reset();
      const rows = await readBacklog();
      if (!rows) return;
      const now = Date.now();
      for (const sink of sinksOf(rows)) {
        const oldest = Math.min(...rows.filter((r) => sinkLabel(r.sink) === sink && r.oldestChangeMs !== null).map((r) => r.oldestChangeMs as number));
        this.set({ sink }, Number.isFinite(oldest) ? Math.max(0, (now - oldest) / 1000) : 0);
      }
    },
  });

  const triggerLabel = (trigger: string | null) => (trigger !== null && isTrigger(trigger) ? trigger : UNKNOWN_TRIGGER);

  const intakeObserver: IntakeObserver = {
    signatureFailed(reason) {
      signatureFailures.inc({ reason });
    },
    accepted(trigger, outcome: IntakeOutcome, durationMs) {
      const result = outcome.duplicate ? 'duplicate' : outcome.status;
      received.inc({ trigger: triggerLabel(trigger), result });
      intakeDuration.observe({ result }, durationMs / 1000);
    },
    rejected(trigger, code) {
      received.inc({ trigger: triggerLabel(trigger), result: 'rejected' });
      rejected.inc({ code });
    },
  };

  const sinkWork: SinkWorkObserver = {
    synced(sink) {
      sinkSyncs.inc({ sink: sinkLabel(sink), result: 'synced' });
    },
    retried(sink, reason) {
      sinkRetries.inc({ sink: sinkLabel(sink), reason });
    },
    failed(sink) {
      sinkSyncs.inc({ sink: sinkLabel(sink), result: 'failed' });
    },
  };

  return {
    registry,
    intakeObserver,
    sinkWork,
    watchStore(s) {
      store = s;
    },
    async text() {
      return (await processMetrics().metrics()) + (await registry.metrics());
    },
    contentType: registry.contentType,
  };
}
