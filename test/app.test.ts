// createApp assembles features top-down (src/feature.ts): the store and intake first, then each feature's
// prepare, routes and workers in that order; the features' sinks are what intake marks dirty; routes land
// in the bearer-protected context or at the root; workers run between listen() and stop(), and stop only
// after the server has closed. A failing prepare stops createApp and closes the store.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Feature, FeatureParts, Worker } from '../src/feature.js';
import { selectSinkStates } from '../src/store/queries/sinks.js';
import { bookingCreated } from './calcom/payloads.js';
import { startTestServer, type TestServer } from './support/server.js';
import { freshStoreLocation, STORE_KINDS } from './support/stores.js';

const PROBE_SINK = 'probe';

/** A feature that records what it is asked for and when. */
function probeFeature(calls: string[], options: { failPrepare?: Error } = {}): Feature & { parts: FeatureParts | null } {
  const feature = {
    name: 'probe',
    sinks: [PROBE_SINK],
    parts: null as FeatureParts | null,
    async prepare(parts: FeatureParts) {
      calls.push('prepare');
      feature.parts = parts;
      if (options.failPrepare) throw options.failPrepare;
    },
    routes() {
      calls.push('routes');
      return {
        api: [async (api: FastifyInstance) => void api.get('/api/probe', async () => ({ probe: 'api' }))],
        root: [
          async (app: FastifyInstance) => {
            app.get('/probe', async () => ({ probe: 'root' }));
            app.addHook('onClose', async () => void calls.push('server closed'));
          },
        ],
      };
    },
    workers(): Worker[] {
      calls.push('workers');
      return [
        {
          name: 'probe-worker',
          start: () => void calls.push('worker started'),
          stop: async () => void calls.push('worker stopped'),
        },
      ];
    },
  };
  return feature;
}

describe.each(STORE_KINDS)('createApp assembles features (%s)', (kind) => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    await server?.location.cleanup();
    server = null;
  });

  it('prepares, then routes, then workers; its sink is marked dirty on a change; workers stop after the server closed', async () => {
    const calls: string[] = [];
    const probe = probeFeature(calls);
    server = await startTestServer({ kind, app: { features: [probe] } });
    expect(calls).toEqual(['prepare', 'routes', 'workers', 'worker started']);

    // prepare saw the assembled parts: the open store, intake, and the registry with its own sink.
    expect(probe.parts?.store).toBe(server.app.store);
    expect(probe.parts?.intake).toBe(server.app.intake);
    expect(probe.parts?.sinks).toEqual([PROBE_SINK]);

    // api routes are bearer-protected, root routes are not.
    expect((await fetch(server.url + '/api/probe')).status).toBe(401);
    expect(await (await server.api('/api/probe')).json()).toEqual({ probe: 'api' });
    expect(await (await fetch(server.url + '/probe')).json()).toEqual({ probe: 'root' });

    const res = await server.sendWebhook(bookingCreated());
    expect(res.status).toBe(200);
    const { appointment_id: id } = (await res.json()) as { appointment_id: number };
    const states = await selectSinkStates(server.app.store.db, [id]);
    expect(states.map((s) => [s.sink, s.state])).toEqual([[PROBE_SINK, 'pending']]);

    await server.close();
    expect(calls.slice(-2)).toEqual(['server closed', 'worker stopped']);
  });

  it('a failing prepare stops createApp with its error, builds no routes or workers, and closes the store', async () => {
    const calls: string[] = [];
    const location = await freshStoreLocation(kind);
    try {
      const failure = new Error('the probe does not fit');
      await expect(startTestServer({ kind, location, app: { features: [probeFeature(calls, { failPrepare: failure })] } })).rejects.toBe(failure);
      expect(calls).toEqual(['prepare']);
      // The store was closed: the same location opens again (the embedded store's directory lock is free).
      server = await startTestServer({ kind, location, app: { features: [] } });
      expect((await fetch(server.url + '/readyz')).status).toBe(200);
    } finally {
      if (!server) await location.cleanup();
    }
  });
});
