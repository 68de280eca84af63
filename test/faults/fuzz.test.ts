// Property-based fuzzing of the webhook intake (fast-check, fixed seed): over 10,000 mutated bodies, headers
// and signatures through the real server, most via Fastify's inject (the whole request pipeline: content-type
// parsers, body limit, hooks, error handler) and a few hundred over real HTTP. Properties for every request:
// never a 5xx, always the contract's JSON shape, an unauthentic request is refused with 401 and stores
// nothing, a refused authentic one stores no event or appointment, a delivery adds at most one of each; and
// afterwards the server still answers. FUZZ_SEED=n reproduces or varies a run.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_WEBHOOK_SECRET, type TestServer } from '../support/server.js';
import { STORE_KINDS, type StoreKind } from '../support/stores.js';
import { checkRequest, httpTransport, injectTransport, signatureRefusalsLogged, Tally, type Transport } from './fuzz/check.js';
import { mutatedBodyRequest, mutatedHeadersRequest, mutatedSignatureRequest, type FuzzRequest } from './fuzz/requests.js';

const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_707);

/** Cases per property. SQLite carries the bulk; the PostgreSQL slice checks the other dialect's storage. */
const RUNS: Record<StoreKind, { bodies: number; headers: number; signatures: number; http: number }> = {
  sqlite: { bodies: 3_500, headers: 3_000, signatures: 3_500, http: 300 },
  postgres: { bodies: 400, headers: 150, signatures: 150, http: 100 },
};

describe.each(STORE_KINDS)('fuzzing the webhook intake (%s)', (kind) => {
  let server: TestServer;
  const runs = RUNS[kind];

  beforeAll(async () => {
    server = await startTestServer({ kind, env: { LOG_LEVEL: 'warn' } });
  });
  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
  });

  const lastError = () => {
    const e = [...server.logs].reverse().find((l) => Number(l.level) >= 50);
    return e ? JSON.stringify(e).slice(0, 600) : '(none)';
  };

  async function fuzz(name: string, seedOffset: number, arb: fc.Arbitrary<FuzzRequest>, send: () => Transport, numRuns: number): Promise<Tally> {
    const seed = FUZZ_SEED + seedOffset;
    const tally = new Tally();
    // Printed so that a failure anywhere (even outside fast-check's report) can be replayed.
    console.log(`[fuzz ${kind}] ${name}: ${numRuns} cases, seed ${seed} (FUZZ_SEED=${FUZZ_SEED})`);
    await fc.assert(
      fc.asyncProperty(arb, (req) => checkRequest(req, send(), server.app.store.db, tally, lastError)),
      { seed, numRuns, endOnFailure: true },
    );
    console.log(`[fuzz ${kind}] ${name}: ${tally.toString()}`);
    expect(tally.total).toBe(numRuns);
    expect(await signatureRefusalsLogged(server.app.store.db)).toBe(0);
    return tally;
  }

  it(`mutated bodies, correctly signed (${runs.bodies} cases, inject)`, async () => {
    const tally = await fuzz('bodies', 1, mutatedBodyRequest(TEST_WEBHOOK_SECRET), () => injectTransport(server.app.server), runs.bodies);
    // The generator must reach every stage: stored deliveries, validation refusals and broken JSON.
    expect(tally.count((s) => s === 200)).toBeGreaterThan(runs.bodies * 0.05);
    expect(tally.statuses.get('422 validation_error') ?? 0).toBeGreaterThan(runs.bodies * 0.05);
    expect(tally.statuses.get('400 invalid_json') ?? 0).toBeGreaterThan(runs.bodies * 0.02);
  });

  it(`hostile headers around signed bodies (${runs.headers} cases, inject)`, async () => {
    const tally = await fuzz('headers', 2, mutatedHeadersRequest(TEST_WEBHOOK_SECRET), () => injectTransport(server.app.server), runs.headers);
    expect(tally.statuses.get('415 unsupported_media_type') ?? 0).toBeGreaterThan(0);
    expect(tally.count((s) => s === 200)).toBeGreaterThan(0);
  });

  it(`every signature form (${runs.signatures} cases, inject)`, async () => {
    const tally = await fuzz('signatures', 3, mutatedSignatureRequest(TEST_WEBHOOK_SECRET), () => injectTransport(server.app.server), runs.signatures);
    expect(tally.statuses.get('401 invalid_signature') ?? 0).toBeGreaterThan(runs.signatures * 0.2);
    expect(tally.count((s) => s === 200)).toBeGreaterThan(runs.signatures * 0.1);
  });

  it(`all three kinds over real HTTP (${runs.http} cases)`, async () => {
    const mixed = fc.oneof(mutatedBodyRequest(TEST_WEBHOOK_SECRET), mutatedHeadersRequest(TEST_WEBHOOK_SECRET), mutatedSignatureRequest(TEST_WEBHOOK_SECRET));
    const tally = await fuzz('http', 4, mixed, () => httpTransport(server.url), runs.http);
    expect(tally.count((s) => s === 200)).toBeGreaterThan(0);
    expect(tally.count((s) => s === 401)).toBeGreaterThan(0);
  });

  it('still answers afterwards, in process and over HTTP', async () => {
    const injected = await server.app.server.inject({ method: 'GET', url: '/healthz' });
    expect(injected.statusCode).toBe(200);
    const health = await fetch(server.url + '/healthz');
    expect(health.status).toBe(200);
    const ready = await fetch(server.url + '/readyz');
    expect(ready.status).toBe(200);
  });
});
