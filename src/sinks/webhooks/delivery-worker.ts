// The loop that sends due outbound messages: a loop that never dies, run by one leader across instances.
// Each pass looks at every enabled endpoint on its own, so one that fails or hangs uses only its own few
// slots and never delays another. A message is claimed with a lease before its attempt, and its outcome
// is recorded by compare-and-set on its webhook-id: a message replaced meanwhile (a newer version) is
// released to go next, never marked with the older one's result.
import type { Logger } from 'pino';
import type { Worker } from '../../feature.js';
import { disableFailingEndpoint, recordEndpointFailure, recordEndpointSuccess, selectEnabledWebhookEndpoints } from '../../store/queries/webhook-endpoints.js';
import { insertWebhookAttempt } from '../../store/queries/webhook-attempts.js';
import {
  claimWebhookMessage,
  markWebhookMessageDelivered,
  markWebhookMessageFailed,
  releaseWebhookClaim,
  resetInterruptedSends,
  selectDueWebhookMessages,
} from '../../store/queries/webhook-messages.js';
import type { WebhookEndpointRow, WebhookMessageRow } from '../../store/schema.js';
import type { Db, Store } from '../../store/store.js';
import type { Leadership } from '../leadership.js';
import { WorkerLoop, type LoopState } from '../loop.js';
import { createAgents, deliverOnce, type AttemptResult } from './deliver.js';
import { releaseReplacement } from './messages.js';
import { retryDelayMs, type RetrySchedule } from './schedule.js';

export type DeliveryWorkerState = LoopState;

export interface DeliveryTuning {
  /** Attempts in flight to one endpoint at once. */
  perEndpointConcurrency: number;
  /** Attempts in flight in all. */
  concurrency: number;
  pollIntervalMs: number;
  /** A request with no complete answer after this long fails (the contract: 15 s). */
  requestTimeoutMs: number;
  /** How long a claim lasts before another sender may take the message (its sender is presumed dead). */
  claimLeaseMs: number;
  /** Wait after a failed pass (store unreachable), doubling up to maxErrorDelayMs. */
  errorDelayMs: number;
  maxErrorDelayMs: number;
}

export const DEFAULT_DELIVERY_TUNING: DeliveryTuning = {
  perEndpointConcurrency: 4,
  concurrency: 32,
  pollIntervalMs: 250,
  requestTimeoutMs: 15_000,
  claimLeaseMs: 60_000,
  errorDelayMs: 1_000,
  maxErrorDelayMs: 30_000,
};

export interface DeliveryObserver {
  delivered(): void;
  failedAttempt(): void;
  givenUp(): void;
}

export const NO_DELIVERY_OBSERVER: DeliveryObserver = { delivered() {}, failedAttempt() {}, givenUp() {} };

export interface DeliveryWorkerDeps {
  store: Store;
  log: Logger;
  leadership: Leadership;
  schedule: RetrySchedule;
  tuning: DeliveryTuning;
  allowPrivate: boolean;
  observer?: DeliveryObserver;
  now?: () => number;
  random?: () => number;
}

export class WebhookDeliveryWorker implements Worker {
  readonly name = 'webhook-delivery';
  private readonly loop: WorkerLoop;
  /** In-flight attempts by message id, and how many each endpoint has. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly perEndpoint = new Map<string, number>();
  private termStarted = false;
  private readonly abort = new AbortController();
  private readonly agents;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly observer: DeliveryObserver;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.observer = deps.observer ?? NO_DELIVERY_OBSERVER;
    this.agents = createAgents(deps.tuning.perEndpointConcurrency);
    this.loop = new WorkerLoop(
      {
        pass: async () => {
          await this.pass();
          return deps.tuning.pollIntervalMs;
        },
        passFailed: (err, retryInMs) => deps.log.warn({ err, retry_in_ms: retryInMs }, 'webhook delivery pass failed'),
        windDown: () => this.windDown(),
      },
      deps.tuning,
    );
  }

  get state(): DeliveryWorkerState {
    return this.loop.state;
  }

  get busy(): number {
    return this.inFlight.size;
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Looks for due messages now instead of at the next poll (a message was just made). */
  wakeUp(): void {
    this.loop.wakeUp();
  }

  private async windDown(): Promise<void> {
    // Attempts in flight are cut short and their messages given back untouched.
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()]);
    this.agents.http.destroy();
    this.agents.https.destroy();
    await this.deps.leadership.release().catch((err: unknown) => this.deps.log.warn({ err }, 'could not release webhook delivery leadership'));
  }

  private async pass(): Promise<void> {
    const { store, leadership, tuning, log } = this.deps;
    if (!(await leadership.check())) {
      this.termStarted = false;
      return;
    }
    if (!this.termStarted) {
      // Claims of a previous term (a crashed process, a deposed leader) will never be finished by their owner.
      const reset = await resetInterruptedSends(store.db, this.now(), new Date(this.now()).toISOString());
      if (reset > 0) log.info({ messages: reset }, 'took back webhook messages an earlier sender had claimed');
      this.termStarted = true;
    }
    const endpoints = await selectEnabledWebhookEndpoints(store.db);
    for (const endpoint of endpoints) {
      if (!this.loop.running) return;
      const total = tuning.concurrency - this.inFlight.size;
      const mine = this.perEndpoint.get(endpoint.id) ?? 0;
      const free = Math.min(total, tuning.perEndpointConcurrency - mine);
      if (free <= 0) continue;
      const now = this.now();
      // Claimed in appointment order, the order every other writer of an endpoint's messages uses.
      const due = (await selectDueWebhookMessages(store.db, endpoint.id, now, free + mine)).sort((a, b) => a.appointment_id - b.appointment_id);
      if (due.length === 0) continue;
      // One transaction for the batch: one commit (one fsync on SQLite) instead of one per message.
      const claimed = await store.db.transaction().execute(async (trx) => {
        const taken: WebhookMessageRow[] = [];
        for (const message of due) {
          if (taken.length >= free) break;
          if (this.inFlight.has(message.message_id)) continue;
          const leaseUntilMs = now + tuning.claimLeaseMs;
          if (await claimWebhookMessage(trx, message.message_id, now, leaseUntilMs, new Date(now).toISOString())) taken.push({ ...message, next_attempt_at: leaseUntilMs });
        }
        return taken;
      });
      // Each carries its lease in next_attempt_at, as the row now does.
      for (const message of claimed) this.launch(endpoint, message);
    }
  }

  private launch(endpoint: WebhookEndpointRow, message: WebhookMessageRow): void {
    this.perEndpoint.set(endpoint.id, (this.perEndpoint.get(endpoint.id) ?? 0) + 1);
    const task = this.attempt(endpoint, message).finally(() => {
      this.inFlight.delete(message.message_id);
      const left = (this.perEndpoint.get(endpoint.id) ?? 1) - 1;
      if (left <= 0) this.perEndpoint.delete(endpoint.id);
      else this.perEndpoint.set(endpoint.id, left);
      this.wakeUp();
    });
    this.inFlight.set(message.message_id, task);
  }

  /** One attempt of a claimed message and its record; never throws. */
  private async attempt(endpoint: WebhookEndpointRow, message: WebhookMessageRow): Promise<void> {
    const { log, tuning, allowPrivate, leadership } = this.deps;
    try {
      if (!leadership.isLeader()) {
        await releaseWebhookClaim(this.deps.store.db, message.message_id, this.now(), new Date(this.now()).toISOString());
        return;
      }
      const result = await deliverOnce(
        { url: endpoint.url, secret: endpoint.secret },
        { messageId: message.message_id, body: message.body },
        { timeoutMs: tuning.requestTimeoutMs, allowPrivate, signal: this.abort.signal, nowMs: this.now, agents: this.agents },
      );
      await this.record(endpoint, message, result);
    } catch (err) {
      // The lease runs out and a later pass sends the message again, under the same webhook-id.
      log.error({ err, endpoint_id: endpoint.id, webhook_id: message.message_id }, 'could not record a webhook delivery attempt');
    }
  }

  private async record(endpoint: WebhookEndpointRow, message: WebhookMessageRow, result: AttemptResult): Promise<void> {
    const nowMs = this.now();
    const at = new Date(nowMs).toISOString();
    if (result.aborted) {
      await releaseWebhookClaim(this.deps.store.db, message.message_id, nowMs, at);
      return;
    }
    // One transaction per outcome: the message, its attempt and the endpoint's health change together.
    await this.deps.store.db.transaction().execute((trx) => this.recordIn(trx, endpoint, message, result, nowMs, at));
  }

  private async recordIn(db: Db, endpoint: WebhookEndpointRow, message: WebhookMessageRow, result: AttemptResult, nowMs: number, at: string): Promise<void> {
    const { log, schedule } = this.deps;
    const attemptNo = message.attempts + 1;
    // Kept only while the message exists (a replaced message's attempts go with it; so do a removed endpoint's).
    const keepAttempt = () =>
      insertWebhookAttempt(db, {
        message_id: message.message_id,
        endpoint_id: endpoint.id,
        appointment_id: message.appointment_id,
        attempt: attemptNo,
        at,
        status: result.status,
        error: result.error,
        duration_ms: result.durationMs,
      });
    const fields = { endpoint_id: endpoint.id, webhook_id: message.message_id, appointment_id: message.appointment_id, version: message.version };
    if (result.ok) {
      // Rows in one order everywhere (the message, then the endpoint), so transactions never deadlock.
      const still = await markWebhookMessageDelivered(db, message.message_id, { status: result.status, error: null, at });
      if (still) await keepAttempt();
      else await releaseReplacement(db, endpoint.id, message.appointment_id, message.message_id, message.next_attempt_at, true, nowMs);
      await recordEndpointSuccess(db, endpoint.id, result.status ?? 200, at);
      this.observer.delivered();
      log.debug({ ...fields, status: result.status, duration_ms: result.durationMs }, 'webhook delivered');
      return;
    }
    this.observer.failedAttempt();
    const delayMs = retryDelayMs(attemptNo, schedule, this.random);
    const nextAt = delayMs === null ? null : nowMs + delayMs;
    const still = await markWebhookMessageFailed(db, message.message_id, { status: result.status, error: result.error, at }, nextAt);
    if (still) await keepAttempt();
    else await releaseReplacement(db, endpoint.id, message.appointment_id, message.message_id, message.next_attempt_at, false, nowMs);
    if (still && nextAt === null) {
      this.observer.givenUp();
      log.warn({ ...fields, attempts: attemptNo, error: result.error }, 'webhook message given up after its last retry');
    } else {
      log.info({ ...fields, attempts: attemptNo, status: result.status, error: result.error, retry_in_ms: delayMs }, 'webhook delivery failed; will retry');
    }
    const failingSinceMs = await recordEndpointFailure(db, endpoint.id, result.status, result.error ?? 'failed', nowMs, at);
    if (failingSinceMs !== null && nowMs - failingSinceMs >= schedule.disableAfterMs) {
      const since = new Date(failingSinceMs).toISOString();
      const disabled = await disableFailingEndpoint(db, endpoint.id, `failing without a success since ${since}`, failingSinceMs, at);
      if (disabled) log.warn({ endpoint_id: endpoint.id, failing_since: since }, 'webhook endpoint disabled: failing without a success for too long');
    }
  }
}
