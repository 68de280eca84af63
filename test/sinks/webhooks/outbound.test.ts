// Outbound webhooks over real HTTP on both stores, with real receivers (node:http on 127.0.0.1): signed per
// Standard Webhooks (checked with the reference `standardwebhooks` verifier), level-triggered (newest state
// wins, never an older version after a newer), retried under one webhook-id with the same bytes, caught
// up after an outage of 500s, timeouts and redirects, endpoints independent of each other, resend.
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../support/server.js';
import { STORE_KINDS } from '../../support/stores.js';
import { appointmentVersion, bookingUid, createEndpoint, send, startWebhookServer } from './harness.js';
import { startReceiver, until, type Received, type Receiver } from './receiver.js';

function headersOf(r: Received): Record<string, string> {
  return { 'webhook-id': r.id, 'webhook-timestamp': r.timestamp, 'webhook-signature': r.signature };
}

/** Per appointment, the versions in the order the receiver got them. */
function versionsByAppointment(requests: readonly Received[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const r of requests) out.set(r.appointmentId, [...(out.get(r.appointmentId) ?? []), r.version]);
  return out;
}

function expectNonDecreasing(requests: readonly Received[]): void {
  for (const [id, versions] of versionsByAppointment(requests)) {
    const sorted = [...versions].sort((a, b) => a - b);
    expect({ id, versions }).toEqual({ id, versions: sorted });
  }
}

/** No webhook-id ever came with two different bodies. */
function expectOneBodyPerId(requests: readonly Received[]): void {
  const bodies = new Map<string, string>();
  for (const r of requests) {
    const seen = bodies.get(r.id);
    if (seen !== undefined) expect(r.body).toBe(seen);
    bodies.set(r.id, r.body);
  }
}

describe.each(STORE_KINDS)('outbound webhooks (%s)', (kind) => {
  let server: TestServer;
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    server = await startWebhookServer({ kind });
  });
  afterEach(async () => {
    // Endpoints of earlier tests must not keep sending to receivers that are gone.
    const res = await server.api('/api/webhook-endpoints');
    for (const e of ((await res.json()) as { endpoints: { id: string }[] }).endpoints) await server.api(`/api/webhook-endpoints/${e.id}`, { method: 'DELETE' });
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
  });

  it('signs each delivery per Standard Webhooks; created first, then updated, data as GET shows it', async () => {
    const rx = await receiver();
    const endpoint = await createEndpoint(server, rx.url);
    expect(endpoint.id).toMatch(/^ep_/);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(endpoint.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

    const uid = bookingUid('signed');
    const id = await send(server, 'BOOKING_CREATED', { uid });
    const first = await until('the created message', () => rx.delivered().find((r) => r.appointmentId === id));
    const verified = new Webhook(endpoint.secret).verify(first.body, headersOf(first)) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(verified.type).toBe('appointment.created');
    expect(first.contentType).toBe('application/json');
    expect(Number.isNaN(Date.parse(verified.timestamp))).toBe(false);
    const shown = (await (await server.api(`/api/appointments/${id}`)).json()) as Record<string, unknown>;
    const { sync: _a, ...dataWithoutSync } = verified.data;
    const { sync: _b, ...shownWithoutSync } = shown;
    expect(dataWithoutSync).toEqual(shownWithoutSync);
    // The sink's own bookkeeping (which flips with every change) is in neither: delivery state is per endpoint.
    expect(shown.sync).not.toHaveProperty('webhooks');
    expect(verified.data.sync).not.toHaveProperty('webhooks');

    // A tampered body or another secret fails the reference verifier.
    expect(() => new Webhook(endpoint.secret).verify(first.body.replace('appointment.created', 'appointment.updated'), headersOf(first))).toThrow();
    const other = await createEndpoint(server, rx.url);
    expect(() => new Webhook(other.secret).verify(first.body, headersOf(first))).toThrow();

    await send(server, 'BOOKING_CANCELLED', { uid });
    // Both endpoints post to the same receiver, in either order: the first endpoint's message is the one its
    // secret verifies (the other endpoint's copy is signed with the other secret).
    const signedFor = (secret: string, r: (typeof first)) => {
      try {
        new Webhook(secret).verify(r.body, headersOf(r));
        return true;
      } catch {
        return false;
      }
    };
    const second = await until('the updated message', () =>
      rx.delivered().find((r) => r.appointmentId === id && r.version === 2 && r.id !== first.id && signedFor(endpoint.secret, r)),
    );
    await until("the other endpoint's copy", () => rx.delivered().find((r) => r.appointmentId === id && r.version === 2 && signedFor(other.secret, r)));
    const v2 = new Webhook(endpoint.secret).verify(second.body, headersOf(second)) as { type: string; data: { status: string } };
    expect(v2.type).toBe('appointment.updated');
    expect(v2.data.status).toBe('cancelled');
    expect(second.id).not.toBe(first.id);
  });

  it('refuses bad URLs with 422 and unknown ids with 404', async () => {
    const post = (body: unknown) => server.api('/api/webhook-endpoints', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const url of ['ftp://example.com/hook', 'not a url', 'javascript:alert(1)', 'http://user:pw@example.com/']) {
      const res = await post({ url });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('validation_error');
    }
    expect((await post({})).status).toBe(422);
    expect((await post({ url: `https://example.com/${'x'.repeat(3000)}` })).status).toBe(422);
    // Private addresses are allowed on this server (OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=true).
    expect((await post({ url: 'http://127.0.0.1:9/hook' })).status).toBe(201);

    for (const [method, path] of [
      ['GET', '/api/webhook-endpoints/ep_unknown/secret'],
      ['GET', '/api/webhook-endpoints/ep_unknown'],
      ['PATCH', '/api/webhook-endpoints/ep_unknown'],
      ['DELETE', '/api/webhook-endpoints/ep_unknown'],
      ['POST', '/api/webhook-endpoints/ep_unknown/resend'],
      ['DELETE', '/api/webhook-endpoints/..%2F..'],
    ] as const) {
      const body = method === 'PATCH' ? JSON.stringify({ enabled: true }) : method === 'POST' ? JSON.stringify({ since: '2020-01-01T00:00:00Z' }) : undefined;
      const res = await server.api(path, { method, ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}) });
      expect({ path, method, status: res.status }).toEqual({ path, method, status: 404 });
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('endpoint_not_found');
    }
    const noAuth = await fetch(`${server.url}/api/webhook-endpoints`);
    expect(noAuth.status).toBe(401);
  });

  it('a receiver down for a while (500s, timeouts, 3xx) gets every appointment\'s latest state once back, one message each, never older after newer', async () => {
    const rx = await receiver();
    let failures = 0;
    rx.behave(() => {
      failures += 1;
      const mode = failures % 3;
      return mode === 0 ? { kind: 'status', status: 500 } : mode === 1 ? { kind: 'hang' } : { kind: 'status', status: 302 };
    });
    await createEndpoint(server, rx.url);
    const ids: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const uid = bookingUid(`outage-${i}`);
      ids.push(await send(server, 'BOOKING_REQUESTED', { uid }));
      await send(server, 'BOOKING_CREATED', { uid });
      if (i % 2 === 0) await send(server, 'BOOKING_CANCELLED', { uid });
    }
    const latest = new Map<number, number>();
    for (const id of ids) latest.set(id, await appointmentVersion(server, id));
    // Down until every appointment's latest version has been tried and refused, in all three ways.
    await until('failed attempts of every kind', () => failures >= 3 && ids.every((id) => rx.requests.some((r) => r.appointmentId === id && r.version === latest.get(id))));
    rx.behave({ kind: 'ok' });
    await until('the latest state of every appointment', () => ids.every((id) => rx.delivered().some((r) => r.appointmentId === id && r.version === latest.get(id))), 30_000);
    const afterOutage = rx.delivered();
    // One message each: what was answered 2xx is exactly one per appointment, at its latest version.
    expect(afterOutage.map((r) => r.appointmentId).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    for (const r of afterOutage) expect(r.version).toBe(latest.get(r.appointmentId));
    // Nothing reached the receiver before, so each replacement of the first message is still appointment.created.
    for (const r of afterOutage) expect(r.type).toBe('appointment.created');
    expect(rx.requests.some((r) => r.answered === 500) && rx.requests.some((r) => r.answered === 302) && rx.requests.some((r) => r.answered === null)).toBe(true);
    expectNonDecreasing(rx.requests);
    expectOneBodyPerId(rx.requests);
  });

  it('retries keep the webhook-id and the exact body; only the timestamp header changes', async () => {
    const rx = await receiver();
    const endpoint = await createEndpoint(server, rx.url);
    let calls = 0;
    rx.behave(() => (++calls <= 3 ? { kind: 'status', status: 503 } : { kind: 'ok' }));
    const id = await send(server, 'BOOKING_CREATED', { uid: bookingUid('retry') });
    await until('delivery after three failures', () => rx.delivered().length === 1);
    expect(rx.requests).toHaveLength(4);
    expect(new Set(rx.requests.map((r) => r.id)).size).toBe(1);
    expect(new Set(rx.requests.map((r) => r.body)).size).toBe(1);
    for (const r of rx.requests) expect(() => new Webhook(endpoint.secret).verify(r.body, headersOf(r))).not.toThrow();
    expect(rx.requests[0]?.appointmentId).toBe(id);
    // The admin view of the endpoint: its last status, and the message's attempts.
    // The endpoint's health: failing after the 503s, healthy again once the delivery is recorded.
    const healthy = await until('the success recorded', async () => {
      const listed = (await (await server.api('/api/webhook-endpoints')).json()) as { endpoints: { id: string; last_status: number; failing_since: string | null }[] };
      const e = listed.endpoints.find((x) => x.id === endpoint.id);
      return e?.last_status === 204 ? e : undefined;
    });
    expect(healthy.failing_since).toBeNull();
    const text = await server.app.metrics.text();
    const count = (outcome: string) => Number(new RegExp(`calsync_outbound_webhook_attempts_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(count('failed')).toBeGreaterThanOrEqual(3);
    expect(count('delivered')).toBeGreaterThanOrEqual(1);
  });

  it('two endpoints, one hung: the other gets everything while the hung one still holds its requests', async () => {
    const hung = await receiver();
    const healthy = await receiver();
    hung.behave({ kind: 'hang' });
    await createEndpoint(server, hung.url);
    await createEndpoint(server, healthy.url);
    const ids: number[] = [];
    for (let i = 0; i < 10; i += 1) ids.push(await send(server, 'BOOKING_CREATED', { uid: bookingUid(`pair-${i}`) }));
    await until('every message at the healthy endpoint', () => ids.every((id) => healthy.delivered().some((r) => r.appointmentId === id)));
    expect(hung.delivered()).toHaveLength(0);
    expect(hung.requests.length).toBeGreaterThan(0);
  });

  it('resend gives the current state again under new webhook-ids, as appointment.updated', async () => {
    const rx = await receiver();
    const endpoint = await createEndpoint(server, rx.url);
    const before = new Date().toISOString();
    const ids = [await send(server, 'BOOKING_CREATED', { uid: bookingUid('resend-a') }), await send(server, 'BOOKING_CREATED', { uid: bookingUid('resend-b') })];
    await until('both delivered', () => ids.every((id) => rx.delivered().some((r) => r.appointmentId === id)));
    const firstIds = new Set(rx.delivered().map((r) => r.id));
    const res = await server.api(`/api/webhook-endpoints/${endpoint.id}/resend`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ since: before }),
    });
    expect(res.status).toBe(202);
    const again = await until('both resent', () => {
      const resent = rx.delivered().filter((r) => !firstIds.has(r.id) && ids.includes(r.appointmentId));
      return resent.length >= 2 ? resent : undefined;
    });
    for (const r of again) {
      expect(r.type).toBe('appointment.updated');
      expect(() => new Webhook(endpoint.secret).verify(r.body, headersOf(r))).not.toThrow();
    }
    const bad = await server.api(`/api/webhook-endpoints/${endpoint.id}/resend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ since: 'yesterday' }) });
    expect(bad.status).toBe(422);
  });
});
