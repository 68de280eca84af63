// Delivers webhook events the way Cal.com's default sendPayload path does: one POST per matching active webhook,
// compact JSON signed with that webhook's secret, redirects not followed, one attempt and no retry. Deliveries
// start only after the API response that caused them has been written, as Cal.com fires them after the booking
// is saved; they run one after another so a test sees them in the order the changes happened.

import {
  buildCalcomBody,
  calcomWebhookHeaders,
  serializeCalcomBody,
  type SampleOptions,
  type SampleTrigger,
} from '../../../src/calcom/samples.js';
import type { PendingEvent } from './state.js';
import type { StoredWebhook } from './webhook-store.js';

export interface CalcomDelivery {
  /** 1-based, in send order. */
  seq: number;
  webhookId: string;
  url: string;
  trigger: string;
  /** Booking uid the event is about, when it has one. */
  bookingUid?: string;
  /** `dropped`: lost on purpose (setWebhookDelivery('drop')); `failed`: network error, no HTTP status. */
  outcome: 'delivered' | 'failed' | 'dropped';
  /** The receiver's HTTP status; null when dropped or on a network error. */
  status: number | null;
  /** 2xx from the receiver (Cal.com treats 3xx as not ok because it does not follow redirects). */
  ok: boolean;
  error?: string;
  /** The exact body string sent (or that would have been sent), and the headers. */
  body: string;
  headers: Record<string, string>;
  at: string;
}

export type DeliveryMode = 'on' | 'drop';

// Cal.com sets no timeout; the emulator does, so a receiver that never answers fails a test instead of hanging it.
const DELIVERY_TIMEOUT_MS = 10_000;

export class WebhookSender {
  readonly deliveries: CalcomDelivery[] = [];
  mode: DeliveryMode = 'on';
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly webhooks: () => readonly StoredWebhook[]) {}

  /** Queue an event for every active webhook subscribed to its trigger. */
  enqueue(event: PendingEvent): void {
    const targets = this.webhooks().filter((w) => w.active && w.triggers.includes(event.trigger));
    if (targets.length === 0) return;
    // One body per event and payload version, as Cal.com builds the payload once per version and signs it per
    // webhook; a 2026-07-27 webhook gets the .ics invitations on top (createdAt is fixed, so bodies agree).
    const options: SampleOptions = { createdAt: new Date().toISOString(), ...event.options };
    const bodies = new Map<string, string>();
    for (const hook of targets) {
      const version = hook.version === '2026-07-27' ? '2026-07-27' : '2021-10-20';
      let raw = bodies.get(version);
      if (raw === undefined) {
        raw = serializeCalcomBody(buildCalcomBody(event.trigger, { ...options, webhookVersion: version }));
        bodies.set(version, raw);
      }
      this.queue(hook, event.trigger, raw, bookingUidOf(event.options));
    }
  }

  /** Send one body to one webhook whatever its triggers or active flag, like the dashboard's "Ping test". */
  enqueueTo(hook: StoredWebhook, trigger: SampleTrigger, options: SampleOptions): void {
    const raw = serializeCalcomBody(buildCalcomBody(trigger, options));
    this.queue(hook, trigger, raw, trigger === 'PING' ? undefined : bookingUidOf(options));
  }

  async flush(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.tail) {
      seen = this.tail;
      await seen;
    }
  }

  reset(): void {
    this.deliveries.length = 0;
    this.mode = 'on';
  }

  private queue(hook: StoredWebhook, trigger: string, raw: string, bookingUid: string | undefined): void {
    // Snapshot what Cal.com reads at send time (url, secret, version), so a later PATCH does not rewrite history.
    const url = hook.subscriberUrl;
    const headers = calcomWebhookHeaders(raw, hook.secret, hook.version);
    const mode = this.mode;
    this.tail = this.tail
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => this.send({ webhookId: hook.id, url, trigger, bookingUid, body: raw, headers }, mode));
  }

  private async send(
    d: Pick<CalcomDelivery, 'webhookId' | 'url' | 'trigger' | 'bookingUid' | 'body' | 'headers'>,
    mode: DeliveryMode,
  ): Promise<void> {
    const record: CalcomDelivery = {
      seq: this.deliveries.length + 1,
      ...d,
      outcome: 'dropped',
      status: null,
      ok: false,
      at: new Date().toISOString(),
    };
    this.deliveries.push(record);
    if (mode === 'drop') return;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: d.headers,
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      record.outcome = 'delivered';
      record.status = res.status;
      record.ok = res.status >= 200 && res.status < 300;
    } catch (err) {
      record.outcome = 'failed';
      record.error = err instanceof Error ? err.message : String(err);
    }
  }
}

function bookingUidOf(options: SampleOptions): string | undefined {
  return options.uid;
}
