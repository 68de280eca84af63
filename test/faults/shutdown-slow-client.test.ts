// Issue 11, item 2: one slow client used to keep SIGTERM from ever finishing. The built server (what
// `npm start` runs) gets SIGTERM while a client holds a request open (headers sent, body never finished)
// and another holds an idle keep-alive connection: it must stop accepting at once, give the in-flight
// request its 10 s grace, then close what remains and exit 0.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, waitExit, waitHealthy, type ChildServer } from '../support/child-server.js';
import { tempDir } from '../support/stores.js';
import { TEST_API_KEY, TEST_WEBHOOK_SECRET } from '../support/server.js';
import { closedWithin, openSlowClient, postHeaders, type SlowClient } from './slow-client.js';

/** The default grace for in-flight requests. */
const SHUTDOWN_GRACE_MS = 10_000;
/** Grace, plus closing the store and exiting on a loaded machine. */
const EXIT_WITHIN_MS = SHUTDOWN_GRACE_MS + 10_000;

describe('SIGTERM with slow clients connected', () => {
  let server: ChildServer | null = null;
  const clients: SlowClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await server?.kill('SIGKILL');
    server = null;
  });

  it('stops accepting at once, closes the slow request after the grace period, and exits 0', async () => {
    server = await spawnServer({ DATA_DIR: tempDir('calsync-shutdown-'), CAL_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, INTERNAL_API_KEY: TEST_API_KEY, LOG_LEVEL: 'info' });
    await waitHealthy(server);

    const slow = await openSlowClient(server.url);
    clients.push(slow);
    slow.send(postHeaders('/webhooks/calcom', 1000));
    slow.send('{"trigger');
    const idle = await openSlowClient(server.url);
    clients.push(idle);
    idle.send('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    // The server has the slow request in hand before the signal.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');

    // New connections are refused soon (the listener closes first).
    const refusedBy = Date.now() + 5000;
    for (;;) {
      const accepted = await new Promise<boolean>((resolve) => {
        const s = net.connect(server!.port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
      if (!accepted) break;
      expect(Date.now(), 'still accepting connections 5 s after SIGTERM').toBeLessThan(refusedBy);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // The idle keep-alive connection is closed at once, not after the grace period.
    const idleClosed = await closedWithin(idle, 5000);
    expect(idleClosed).not.toBe('still open');

    const exit = await waitExit(server, EXIT_WITHIN_MS);
    const tookMs = Date.now() - signalledAt;
    expect(exit.code, server.stderr()).toBe(0);
    expect(tookMs).toBeLessThan(EXIT_WITHIN_MS);
    // In-flight work had its grace: the slow request was not cut the moment the signal came.
    expect(tookMs).toBeGreaterThanOrEqual(SHUTDOWN_GRACE_MS - 500);
    expect(await closedWithin(slow, 1000)).not.toBe('still open');
    expect(server.stdout()).toContain('closing the connections still open after the grace period');
  }, 40_000);
});
