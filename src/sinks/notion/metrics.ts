// The Notion sink's own counters (requests by status, 429s and 529s and their pauses, retries, syncs), registered on
// the app's Prometheus registry by the sink itself: the app's metrics module knows sinks only by their
// registered names (src/sinks/registry.ts). The metric names predate the registry and are kept for
// dashboards; the generic per-sink counts (calsync_sink_*) sit beside them.
import client from 'prom-client';
import type { NotionSinkObserver } from './observer.js';

/** The Notion sink reports status 0 when no answer came (timeout, network error). */
const NO_ANSWER_STATUS_LABEL = 'network_error';

/** One observer per registry: building the Notion feature twice for one app must not register twice. */
const observers = new WeakMap<client.Registry, NotionSinkObserver>();

/** The observer to hand the Notion sink (observer.ts) so its requests, 429s, retries and syncs are counted on `registry`. */
export function notionSinkObserverFor(metrics: { readonly registry: client.Registry }): NotionSinkObserver {
  const known = observers.get(metrics.registry);
  if (known) return known;
  const registers = [metrics.registry];
  const requests = new client.Counter({
    name: 'calsync_notion_requests_total',
    help: 'Requests to the Notion API by method and HTTP status (network_error when no answer came)',
    labelNames: ['method', 'status'] as const,
    registers,
  });
  const rateLimited = new client.Counter({
    name: 'calsync_notion_rate_limited_total',
    help: 'Notion answers with 429 Too Many Requests',
    registers,
  });
  const rateLimitPause = new client.Counter({
    name: 'calsync_notion_rate_limit_pause_seconds_total',
    help: 'Time the Notion sink paused because Notion asked it to (Retry-After of 429s)',
    registers,
  });
  const overloads = new client.Counter({
    name: 'calsync_notion_overloads_total',
    help: 'Notion answers with 529 service_overload',
    registers,
  });
  const overloadPause = new client.Counter({
    name: 'calsync_notion_overload_pause_seconds_total',
    help: 'Time the Notion sink paused because Notion was overloaded (529: Retry-After, else a backoff)',
    registers,
  });
  const retries = new client.Counter({
    name: 'calsync_notion_retries_total',
    help: 'Notion work tried again: rate_limited (a request re-sent after a 429), service_overload (after a 529) or sync_failed (a transient failure rescheduled)',
    labelNames: ['reason'] as const,
    registers,
  });
  const syncs = new client.Counter({
    name: 'calsync_notion_syncs_total',
    help: 'Appointment syncs to Notion by result: synced, or failed (Notion refused the values; waits for a new version)',
    labelNames: ['result'] as const,
    registers,
  });
  const observer: NotionSinkObserver = {
    request(method, status) {
      // Both labels are bounded: the client sends a handful of methods; statuses are 3-digit numbers.
      requests.inc({ method: method.toUpperCase().slice(0, 10), status: status === 0 ? NO_ANSWER_STATUS_LABEL : String(status) });
    },
    rateLimited(retryAfterMs) {
      rateLimited.inc();
      rateLimitPause.inc(Math.max(0, retryAfterMs) / 1000);
    },
    overloaded(pauseMs) {
      overloads.inc();
      overloadPause.inc(Math.max(0, pauseMs) / 1000);
    },
    retried(reason) {
      retries.inc({ reason });
    },
    synced() {
      syncs.inc({ result: 'synced' });
    },
    failed() {
      syncs.inc({ result: 'failed' });
    },
  };
  observers.set(metrics.registry, observer);
  return observer;
}
