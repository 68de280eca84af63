// The admin pages of outbound webhooks: endpoints with state, last status and failing since; an endpoint's
// messages; a message's attempts. Behind the admin login like every /admin page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet, adminLogin } from '../../ops/helpers.js';
import type { TestServer } from '../../support/server.js';
import { bookingUid, createEndpoint, send, startWebhookServer } from './harness.js';
import { startReceiver, until, type Receiver } from './receiver.js';

let server: TestServer;
let rx: Receiver;
beforeAll(async () => {
  server = await startWebhookServer({ kind: 'sqlite', operations: true });
  rx = await startReceiver();
});
afterAll(async () => {
  await server?.close();
  await server?.location.cleanup();
  await rx?.close();
});

describe('admin pages of outbound webhooks', () => {
  it('shows a failing endpoint, its messages and a message\'s attempts', async () => {
    let calls = 0;
    rx.behave(() => (++calls <= 2 ? { kind: 'status', status: 500 } : { kind: 'hang' }));
    const endpoint = await createEndpoint(server, `${rx.url}?<b>x</b>`);
    const id = await send(server, 'BOOKING_CREATED', { uid: bookingUid('admin') });
    await until('two failed attempts', () => calls >= 2);
    const { cookie } = await adminLogin(server);

    expect((await adminGet(server, '/admin/webhooks', '')).status).toBe(303);
    const list = await adminGet(server, '/admin/webhooks', cookie);
    expect(list.status).toBe(200);
    expect(list.html).toContain(`data-endpoint="${endpoint.id}"`);
    expect(list.html).toContain('failing');
    expect(list.html).toContain('500');
    expect(list.html).not.toContain('<b>x</b>');
    expect(list.html).not.toContain(endpoint.secret);

    const detail = await adminGet(server, `/admin/webhooks/${endpoint.id}`, cookie);
    expect(detail.status).toBe(200);
    const messageId = /data-message="(msg_[A-Za-z0-9_-]+)"/.exec(detail.html)?.[1];
    expect(messageId).toBeDefined();
    expect(detail.html).toContain(`${id} <span class="muted">v1</span>`);

    const message = await adminGet(server, `/admin/webhooks/${endpoint.id}/messages/${messageId}`, cookie);
    expect(message.status).toBe(200);
    expect(message.html).toContain('<table id="attempts"');
    expect((message.html.match(/answered 500/g) ?? []).length).toBe(2);

    expect((await adminGet(server, '/admin/webhooks/ep_nope', cookie)).status).toBe(404);
    expect((await adminGet(server, '/admin/webhooks/nope', cookie)).status).toBe(422);
  });
});
