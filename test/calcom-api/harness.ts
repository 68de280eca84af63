// A real calsync server wired to the Cal.com API v2 emulator: the server books and reconciles through the
// emulator, and the emulator delivers its signed webhooks back to the server (as real Cal.com does).
import { afterAll, beforeAll } from 'vitest';
import { CalcomApiClient } from '../../src/calcom/api/client.js';
import { TRIGGER_HANDLING } from '../../src/calcom/triggers.js';
import { CALCOM_SUBSCRIBABLE_TRIGGERS } from '../../src/calcom/samples.js';
import { startCalcomEmulator, type CalcomEmulator } from '../emulators/calcom/index.js';
import { startTestServer, TEST_WEBHOOK_SECRET, type TestServer } from '../support/server.js';
import type { StoreKind } from '../support/stores.js';

export interface Rig {
  server: TestServer;
  calcom: CalcomEmulator;
  close(): Promise<void>;
}

/** The booking triggers calsync turns into events and Cal.com lets a webhook subscribe to. */
export const HANDLED_TRIGGERS = CALCOM_SUBSCRIBABLE_TRIGGERS.filter((t) => TRIGGER_HANDLING[t].handle === 'event');

export async function startRig(kind: StoreKind, env: Record<string, string> = {}): Promise<Rig> {
  const calcom = await startCalcomEmulator();
  let server: TestServer;
  try {
    server = await startTestServer({
      kind,
      env: { CALCOM_API_KEY: calcom.apiKey, CALCOM_API_URL: calcom.url, RECONCILE_INTERVAL_MINUTES: '0', ...env },
    });
  } catch (err) {
    await calcom.close();
    throw err;
  }
  return {
    server,
    calcom,
    async close() {
      await calcom.close();
      await server.close();
      await server.location.cleanup();
    },
  };
}

/**
 * One rig for the enclosing describe, subscribed to the emulator's webhooks: started in beforeAll, closed in
 * afterAll. The object returned stands for it and may be used inside tests and hooks.
 */
export function useSubscribedRig(kind: StoreKind): Rig {
  let started: Rig | undefined;
  beforeAll(async () => {
    started = await startRig(kind);
    await subscribeServer(started);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): Rig => {
    if (started === undefined) throw new Error('the rig starts in beforeAll; use it inside a test or a later hook');
    return started;
  };
  return {
    get server() {
      return current().server;
    },
    get calcom() {
      return current().calcom;
    },
    close: () => current().close(),
  };
}

/** A client of the emulator whose waits really happen (the emulator's window has to pass), each recorded in `slept` (ms). */
export function waitRecordingClient(calcom: CalcomEmulator): { client: CalcomApiClient; slept: number[] } {
  const slept: number[] = [];
  const client = new CalcomApiClient({
    apiKey: calcom.apiKey,
    apiUrl: calcom.url,
    sleep: async (ms) => {
      slept.push(ms);
      await new Promise((r) => setTimeout(r, ms));
    },
  });
  return { client, slept };
}

/** Subscribes the server to the emulator's webhooks, signed with the server's secret. */
export async function subscribeServer(rig: Rig): Promise<void> {
  const res = await fetch(`${rig.calcom.url}/v2/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rig.calcom.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subscriberUrl: `${rig.server.url}/webhooks/calcom`, active: true, triggers: HANDLED_TRIGGERS, secret: TEST_WEBHOOK_SECRET }),
  });
  if (res.status !== 201) throw new Error(`subscribing failed: ${res.status} ${await res.text()}`);
}

export async function apiJson(server: TestServer, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const res = await server.api(path, {
    method: init.method ?? 'GET',
    ...(init.body !== undefined ? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export function appointmentRequest(overrides: Record<string, unknown> = {}) {
  return {
    event_type_id: 1201,
    start: '2031-02-03T10:00:00Z',
    attendee: { name: 'Ada Lovelace', email: 'Ada@Example.com', time_zone: 'Europe/London', phone: '+447700900123' },
    notes: 'Bring the notebook',
    metadata: { crm_id: 'crm-42' },
    ...overrides,
  };
}
