// startNotionEmulator: wires store, controls and the HTTP pipeline on 127.0.0.1 with a random port.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateLatency, type Controls } from './controls.js';
import { FaultInjector } from './faults.js';
import { seededRandom } from './prng.js';
import { TokenBucket } from './rate-limit.js';
import { RequestLog } from './request-log.js';
import { createRequestListener } from './server.js';
import { createStateView } from './state-view.js';
import { NotionStore } from './store/state.js';
import { Timers } from './timers.js';
import type { NotionEmulator, NotionEmulatorOptions } from './types.js';

export const DEFAULT_TOKEN = 'secret_test';
const DEFAULT_SEED = 1;

// Separate PRNG streams, so that e.g. adding latency does not change which requests get faults.
const FAULT_STREAM = 0x0f;
const LATENCY_STREAM = 0x1a;
const ID_STREAM = 0x1d;

function stream(seed: number, salt: number): () => number {
  return seededRandom((seed * 0x9e3779b1) ^ salt);
}

export async function startNotionEmulator(opts: NotionEmulatorOptions = {}): Promise<NotionEmulator> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const initialLatency = opts.latencyMs ?? 0;
  validateLatency(initialLatency);

  const fresh = (): Controls => {
    const faults = new FaultInjector(stream(seed, FAULT_STREAM));
    faults.set(opts.faults ?? null);
    return {
      token: opts.token ?? DEFAULT_TOKEN,
      outage: false,
      latency: initialLatency,
      bucket: opts.rateLimit == null ? null : new TokenBucket(opts.rateLimit),
      faults,
      blockLimit: validBlockLimit(opts.blockLimit ?? null),
      latencyRandom: stream(seed, LATENCY_STREAM),
      idRandom: stream(seed, ID_STREAM),
    };
  };

  // The server keeps this object; reset() refills it in place.
  const controls = fresh();
  const store = new NotionStore();
  const log = new RequestLog();
  const timers = new Timers();
  const server = createServer(createRequestListener({ store, controls, log, timers }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const state = createStateView(store, () => controls.idRandom);
  let closing: Promise<void> | null = null;

  return {
    url: `http://127.0.0.1:${port}`,
    get token() {
      return controls.token;
    },
    get requests() {
      return log.entries;
    },
    get counters() {
      return log.counters();
    },
    get count429() {
      return log.counters().count429;
    },
    state,
    setFaults: (faults) => controls.faults.set(faults),
    failNext: (kind, failOpts) => controls.faults.failNext(kind, failOpts),
    setOutage: (on) => {
      controls.outage = on;
    },
    setLatency: (latency) => {
      validateLatency(latency);
      controls.latency = latency;
    },
    setRateLimit: (rateLimit) => {
      controls.bucket = rateLimit === null ? null : new TokenBucket(rateLimit);
    },
    setBlockLimit: (limit) => {
      controls.blockLimit = validBlockLimit(limit);
    },
    pagesIn: (dataSourceId, pageOpts) => state.pagesIn(dataSourceId, pageOpts),
    findPages: (dataSourceId, predicate, pageOpts) => state.findPages(dataSourceId, predicate, pageOpts),
    clearRequests: () => log.clear(),
    reset: () => {
      Object.assign(controls, fresh());
      store.clear();
      log.clear();
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        timers.cancelAll();
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets (undici pools them) would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function validBlockLimit(limit: number | null): number | null {
  if (limit !== null && !(Number.isInteger(limit) && limit >= 0)) throw new RangeError('blockLimit must be a whole number >= 0, or null');
  return limit;
}
