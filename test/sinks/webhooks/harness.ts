// Starts the real app (real HTTP, real store) with the outbound webhooks feature tuned for tests: short
// retry delays, a short request timeout, fast polling; everything else as in production.
import { buildCalcomBody, makeBookingUid, type SampleOptions, type SampleTrigger } from '../../../src/calcom/samples.js';
import { loadConfig } from '../../../src/config.js';
import { operationsFeature } from '../../../src/features/operations.js';
import { webhooksFeature, type WebhooksFeatureExtras } from '../../../src/features/webhooks.js';
import type { RetrySchedule } from '../../../src/sinks/webhooks/schedule.js';
import { sendSigned } from '../../support/http-client.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import type { StoreKind, StoreLocation } from '../../support/stores.js';

/** Short, but long enough in all (~6 s) that a loaded machine does not give messages up while a test holds its receiver down. */
export const TEST_SCHEDULE: RetrySchedule = { delaysMs: [50, 100, 200, 400, 800, 1_600, 3_200], jitterRatio: 0.2, disableAfterMs: 5 * 24 * 3_600_000 };
export const TEST_REQUEST_TIMEOUT_MS = 400;

export interface HarnessOptions {
  kind: StoreKind;
  allowPrivate?: boolean;
  location?: StoreLocation;
  extras?: WebhooksFeatureExtras;
  /** Also /admin, /metrics and the event log (the operations feature). */
  operations?: boolean;
}

export async function startWebhookServer(options: HarnessOptions): Promise<TestServer> {
  const env = { OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: options.allowPrivate === false ? 'false' : 'true' };
  const config = loadConfig(env);
  return startTestServer({
    kind: options.kind,
    env,
    ...(options.location ? { location: options.location } : {}),
    app: {
      features: [
        ...(options.operations ? [operationsFeature()] : []),
        webhooksFeature(config, {
          schedule: TEST_SCHEDULE,
          ...options.extras,
          delivery: { requestTimeoutMs: TEST_REQUEST_TIMEOUT_MS, pollIntervalMs: 25, ...options.extras?.delivery },
        }),
      ],
    },
  });
}

export async function createEndpoint(server: TestServer, url: string): Promise<{ id: string; secret: string }> {
  const res = await server.api('/api/webhook-endpoints', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
  const body = (await res.json()) as { id: string; secret: string };
  if (res.status !== 201) throw new Error(`endpoint not created: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

let counter = 0;
export function bookingUid(label: string): string {
  return makeBookingUid(`webhooks:${label}:${counter++}:${process.pid}:${Date.now()}`);
}

/** Sends a signed Cal.com delivery and returns the appointment id it touched. */
export async function send(server: TestServer, trigger: SampleTrigger, options: SampleOptions): Promise<number> {
  const reply = await sendSigned(server, buildCalcomBody(trigger, options));
  if (reply.status !== 200) throw new Error(`webhook answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return (reply.body as { appointment_id: number }).appointment_id;
}

export async function appointmentVersion(server: TestServer, id: number): Promise<number> {
  const res = await server.api(`/api/appointments/${id}`);
  return ((await res.json()) as { version: number }).version;
}
