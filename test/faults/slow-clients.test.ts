// Issue 11, item 2: a client that sends its headers and then no body (or a byte every so often), or never
// finishes its headers, or connects and says nothing, must not hold a socket for long. The server runs with
// short deadlines here (the defaults are 10 s for headers, 30 s for a request); each such client must be
// answered 408 or cut within a bound a few times the deadline, and real requests keep being served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { closedWithin, openSlowClient, postHeaders, type SlowClient } from './slow-client.js';

const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
const KEEP_ALIVE_MS = 1000;
const SOCKET_IDLE_MS = 4000;
/** Node checks the deadlines periodically: cut within the deadline plus a generous margin. */
const CUT_WITHIN_MS = 8000;

describe('slow clients are answered 408 or cut', () => {
  let server: TestServer;
  const clients: SlowClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      kind: 'sqlite',
      app: { serverTimeouts: { headersMs: HEADERS_MS, requestMs: REQUEST_MS, keepAliveMs: KEEP_ALIVE_MS, socketIdleMs: SOCKET_IDLE_MS } },
    });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
    await server?.location.cleanup();
  });

  async function client(): Promise<SlowClient> {
    const c = await openSlowClient(server.url);
    clients.push(c);
    return c;
  }

  function expectCut(result: Awaited<ReturnType<typeof closedWithin>>, what: string, notBeforeMs: number): void {
    expect(result, what).not.toBe('still open');
    if (result === 'still open') return;
    // Either answered 408 and closed, or closed without an answer (Node does that while headers are incomplete).
    if (result.answer) expect(result.answer, what).toMatch(/^HTTP\/1\.1 408/);
    expect(result.afterMs, `${what}: cut before its deadline`).toBeGreaterThanOrEqual(notBeforeMs);
  }

  it('headers and then no body: cut after the request deadline', async () => {
    const c = await client();
    c.send(postHeaders('/webhooks/calcom', 1000));
    expectCut(await closedWithin(c, CUT_WITHIN_MS), 'no body', REQUEST_MS - 100);
  });

  it('headers and then a byte of body every 300 ms: cut after the request deadline', async () => {
    const c = await client();
    c.send(postHeaders('/webhooks/calcom', 1000));
    c.trickle('{'.repeat(1000), 300);
    expectCut(await closedWithin(c, CUT_WITHIN_MS), 'trickled body', REQUEST_MS - 100);
  });

  it('headers trickled a byte every 200 ms: cut after the headers deadline', async () => {
    const c = await client();
    c.trickle(postHeaders('/webhooks/calcom', 10), 200);
    expectCut(await closedWithin(c, CUT_WITHIN_MS), 'trickled headers', HEADERS_MS - 100);
  });

  it('a connection that sends nothing: closed', async () => {
    const c = await client();
    expectCut(await closedWithin(c, CUT_WITHIN_MS + SOCKET_IDLE_MS), 'silent connection', HEADERS_MS - 100);
  });

  it('an idle keep-alive connection after a request: closed after the keep-alive time', async () => {
    const c = await client();
    c.send('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const result = await closedWithin(c, CUT_WITHIN_MS);
    expect(result).not.toBe('still open');
    if (result !== 'still open') {
      expect(result.answer).toMatch(/^HTTP\/1\.1 200/);
      expect(result.answer.toLowerCase()).toContain(`keep-alive: timeout=${KEEP_ALIVE_MS / 1000}`);
    }
  });

  it('real webhooks are served while slow clients wait', async () => {
    for (let i = 0; i < 20; i++) {
      const c = await client();
      c.send(postHeaders('/webhooks/calcom', 1000));
    }
    const res = await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid('slow-clients') }));
    expect(res.status).toBe(200);
  });
});
