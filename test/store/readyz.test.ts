// /readyz answers for the store: ready while it answers, 503 once it does not; /healthz only for the process.
import { afterEach, describe, expect, it } from 'vitest';
import { readJson } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';

describe.each(STORE_KINDS)('readyz (%s)', (kind) => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    await server?.location.cleanup();
    server = null;
  });

  it('is ready while the store answers, and 503 unavailable once it does not', async () => {
    server = await startTestServer({ kind });
    expect(await readJson(await fetch(server.url + '/readyz'))).toMatchObject({ status: 200, body: { status: 'ready', store: kind } });
    expect(await readJson(await fetch(server.url + '/healthz'))).toMatchObject({ status: 200, body: { status: 'ok' } });

    await server.app.store.close();
    const down = await readJson(await fetch(server.url + '/readyz'));
    expect(down).toMatchObject({ status: 503, body: { status: 'unavailable', store: kind, error: expect.any(String) } });
    // The process itself is fine.
    expect((await fetch(server.url + '/healthz')).status).toBe(200);
  });
});
