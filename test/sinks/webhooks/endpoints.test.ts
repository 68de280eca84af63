// Endpoint life over real HTTP on both stores: private addresses refused at creation and at delivery unless
// OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=true; an endpoint failing for 5 days (an injected clock, not a wait) is
// disabled, receives nothing while disabled, and when enabled again gets the current state of what it missed.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TestServer } from '../../support/server.js';
import { STORE_KINDS } from '../../support/stores.js';
import { bookingUid, createEndpoint, send, startWebhookServer } from './harness.js';
import { startReceiver, until, type Receiver } from './receiver.js';

const FIVE_DAYS_MS = 5 * 24 * 3_600_000;

interface ListedEndpoint {
  id: string;
  url: string;
  enabled: boolean;
  disabled_reason: string | null;
  last_status: number | null;
  last_error: string | null;
  failing_since: string | null;
}

async function listed(server: TestServer, id: string): Promise<ListedEndpoint | undefined> {
  const body = (await (await server.api('/api/webhook-endpoints')).json()) as { endpoints: ListedEndpoint[] };
  return body.endpoints.find((e) => e.id === id);
}

async function messageCounts(server: TestServer, id: string): Promise<Record<string, number>> {
  return ((await (await server.api(`/api/webhook-endpoints/${id}`)).json()) as { messages: Record<string, number> }).messages;
}

describe.each(STORE_KINDS)('webhook endpoints (%s)', (kind) => {
  const servers: TestServer[] = [];
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(async (s) => {
      await s.close();
      await s.location.cleanup();
    }));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('refuses private addresses without the flag, at creation and at delivery', async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    const open = await startWebhookServer({ kind, allowPrivate: true });
    const endpoint = await createEndpoint(open, rx.url);
    // A name, checked on the address the connection would use (127.0.0.1 here).
    const byName = await createEndpoint(open, rx.url.replace('127.0.0.1', 'localhost'));
    await open.close();

    const strict = await startWebhookServer({ kind, allowPrivate: false, location: open.location });
    servers.push(strict);
    const post = (url: string) => strict.api('/api/webhook-endpoints', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost:8080/', 'http://10.0.0.7/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest']) {
      const res = await post(url);
      expect({ url, status: res.status }).toEqual({ url, status: 422 });
      const body = (await res.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
      expect(body.error.code).toBe('validation_error');
      expect(body.error.details.issues[0]?.path).toBe('url');
    }
    const patched = await strict.api(`/api/webhook-endpoints/${endpoint.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'http://192.168.0.10/' }) });
    expect(patched.status).toBe(422);
    expect((await post('https://93.184.216.34/hook')).status).toBe(201);

    // The endpoint made while private addresses were allowed is refused when a delivery is attempted.
    await send(strict, 'BOOKING_CREATED', { uid: bookingUid('strict') });
    const refused = await until('a refused attempt', async () => {
      const e = await listed(strict, endpoint.id);
      return e?.last_error ? e : undefined;
    });
    expect(refused.last_error).toMatch(/private address/);
    expect(refused.last_status).toBeNull();
    const refusedByName = await until('a refused attempt by name', async () => {
      const e = await listed(strict, byName.id);
      return e?.last_error ? e : undefined;
    });
    expect(refusedByName.last_error).toMatch(/localhost resolves to .*private address/);
    expect(rx.requests).toHaveLength(0);
  });

  it('disables an endpoint failing for 5 days, sends it nothing meanwhile, and catches it up when enabled again', async () => {
    const rx = await startReceiver();
    receivers.push(rx);
    rx.behave({ kind: 'status', status: 500 });
    let offsetMs = 0;
    const server = await startWebhookServer({ kind, extras: { now: () => Date.now() + offsetMs } });
    servers.push(server);
    const endpoint = await createEndpoint(server, rx.url);
    const uidA = bookingUid('missed-a');
    const a = await send(server, 'BOOKING_CREATED', { uid: uidA });
    const failing = await until('the first failure', async () => {
      const e = await listed(server, endpoint.id);
      return e?.failing_since ? e : undefined;
    });
    expect(failing).toMatchObject({ enabled: true, last_status: 500 });

    offsetMs = FIVE_DAYS_MS + 60_000;
    const b = await send(server, 'BOOKING_CREATED', { uid: bookingUid('missed-b') });
    const disabled = await until('the endpoint disabled', async () => {
      const e = await listed(server, endpoint.id);
      return e && !e.enabled ? e : undefined;
    });
    expect(disabled.disabled_reason).toMatch(/failing without a success since/);
    expect(disabled.failing_since).toBe(failing.failing_since);

    // While disabled: changes are kept for it, nothing is sent.
    rx.behave({ kind: 'ok' });
    const sentBefore = rx.requests.length;
    const c = await send(server, 'BOOKING_CREATED', { uid: bookingUid('missed-c') });
    await send(server, 'BOOKING_CANCELLED', { uid: uidA });
    await until('messages kept for the disabled endpoint', async () => {
      const counts = await messageCounts(server, endpoint.id);
      return Object.values(counts).reduce((x, y) => x + y, 0) === 3 ? counts : undefined;
    });
    const aVersion = ((await (await server.api(`/api/appointments/${a}`)).json()) as { version: number }).version;
    await until('A\'s newest version kept', async () => {
      const row = await server.app.store.db.selectFrom('webhook_messages').select('version').where('endpoint_id', '=', endpoint.id).where('appointment_id', '=', a).executeTakeFirst();
      return row?.version === aVersion;
    });
    expect(rx.requests.length).toBe(sentBefore);

    const enabled = await server.api(`/api/webhook-endpoints/${endpoint.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ enabled: true }) });
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
    await until('everything it missed', () => [a, b, c].every((id) => rx.delivered().some((r) => r.appointmentId === id)));
    const gotA = rx.delivered().filter((r) => r.appointmentId === a);
    expect(gotA.map((r) => r.version)).toEqual([aVersion]);
    // It never received A before, so A is still news to it.
    expect(gotA[0]?.type).toBe('appointment.created');
  });

  it('removes an endpoint with DELETE (204) and shows the secret on its own route', async () => {
    const server = await startWebhookServer({ kind });
    servers.push(server);
    const endpoint = await createEndpoint(server, 'http://127.0.0.1:9/x');
    const secret = (await (await server.api(`/api/webhook-endpoints/${endpoint.id}/secret`)).json()) as { secret: string };
    expect(secret.secret).toBe(endpoint.secret);
    const listing = (await (await server.api('/api/webhook-endpoints')).json()) as { endpoints: Record<string, unknown>[] };
    expect(Object.keys(listing.endpoints[0] ?? {})).toEqual(
      expect.arrayContaining(['id', 'url', 'description', 'enabled', 'disabled_reason', 'created_at', 'last_delivery_at', 'last_status', 'failing_since']),
    );
    expect(JSON.stringify(listing)).not.toContain(endpoint.secret);
    expect((await server.api(`/api/webhook-endpoints/${endpoint.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await server.api(`/api/webhook-endpoints/${endpoint.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});
