// Outbound webhooks (CONTRACT "Outbound webhooks"): the 'webhooks' sink that intake marks dirty on every
// change (its sync makes one message per endpoint), the worker that drives that sink, the delivery worker
// that sends due messages (one leader across instances, like Notion), and /api/webhook-endpoints.
import client from 'prom-client';
import type { Config } from '../config.js';
import type { Feature } from '../feature.js';
import { webhookEndpointRoutes } from '../http/routes/webhook-endpoints.js';
import { DEFAULT_BACKOFF } from '../sinks/backoff.js';
import { createLeadership, DEFAULT_LEADERSHIP, type LeadershipOptions } from '../sinks/leadership.js';
import { DEFAULT_DELIVERY_TUNING, WebhookDeliveryWorker, type DeliveryObserver, type DeliveryTuning } from '../sinks/webhooks/delivery-worker.js';
import { PRODUCTION_SCHEDULE, type RetrySchedule } from '../sinks/webhooks/schedule.js';
import { WEBHOOKS_SINK, createWebhooksSink } from '../sinks/webhooks/webhooks-sink.js';
import { SinkWorker, type SinkWorkerTuning } from '../sinks/worker.js';

/** The sink's own work is local (a few queries per appointment), so it runs wide and polls often. */
const SINK_TUNING: SinkWorkerTuning = {
  concurrency: 16,
  pollIntervalMs: 100,
  claimLeaseMs: 60_000,
  errorDelayMs: 1_000,
  maxErrorDelayMs: 30_000,
  backoff: DEFAULT_BACKOFF,
};
/** The delivery worker's lock, apart from the sink's: each is held by one instance, not necessarily the same. */
const DELIVERY_LEADERSHIP_NAME = 'webhook-delivery';

export interface WebhooksFeatureExtras {
  /** Tests: shorter retry delays and disable threshold. */
  schedule?: RetrySchedule;
  delivery?: Partial<DeliveryTuning>;
  leadership?: LeadershipOptions;
  /** Tests: a clock for the delivery worker and the API (e.g. five days on). */
  now?: () => number;
}

export function webhooksFeature(config: Config, extras: WebhooksFeatureExtras = {}): Feature {
  const allowPrivate = config.outboundWebhooksAllowPrivate;
  const now = extras.now ?? Date.now;
  let delivery: WebhookDeliveryWorker | null = null;
  const wakeDelivery = () => delivery?.wakeUp();
  return {
    name: 'webhooks',
    sinks: [WEBHOOKS_SINK],
    routes: () => ({ api: [webhookEndpointRoutes({ allowPrivate, onDue: wakeDelivery, now })] }),
    workers: ({ store, log, metrics }) => {
      const leadershipOptions = extras.leadership ?? DEFAULT_LEADERSHIP;
      delivery = new WebhookDeliveryWorker({
        store,
        log: log.child({ worker: DELIVERY_LEADERSHIP_NAME }),
        leadership: createLeadership(store, DELIVERY_LEADERSHIP_NAME, log, leadershipOptions),
        schedule: extras.schedule ?? PRODUCTION_SCHEDULE,
        tuning: { ...DEFAULT_DELIVERY_TUNING, ...extras.delivery },
        allowPrivate,
        now,
        observer: deliveryObserver(metrics.registry),
      });
      const sinkWorker = new SinkWorker({
        sink: createWebhooksSink({ store, onQueued: wakeDelivery, now }),
        store,
        // The worker and createLeadership add `sink` themselves; a logger already bound to it would say it twice.
        log,
        leadership: createLeadership(store, WEBHOOKS_SINK, log, leadershipOptions),
        tuning: SINK_TUNING,
        observer: metrics.sinkWork,
      });
      return [sinkWorker, delivery];
    },
  };
}

/** calsync_outbound_webhook_attempts_total{outcome}: delivered, failed (will retry or was given up), given_up. */
function deliveryObserver(registry: client.Registry): DeliveryObserver {
  const attempts = new client.Counter({
    name: 'calsync_outbound_webhook_attempts_total',
    help: 'Outbound webhook delivery attempts by outcome (delivered, failed) and messages given up after their last retry (given_up)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return {
    delivered: () => attempts.inc({ outcome: 'delivered' }),
    failedAttempt: () => attempts.inc({ outcome: 'failed' }),
    givenUp: () => attempts.inc({ outcome: 'given_up' }),
  };
}
