// DATA_DIR and its files are the owner's alone: created 0700/0600, an existing looser tree tightened on
// start with a log line; and the generated secrets never reach stdout/stderr when it is not a terminal.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { GENERATED_SECRETS_FILE } from '../../src/secrets.js';
import { spawnServer, waitExit, waitHealthy, type ChildServer } from '../support/child-server.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { tempDir, type StoreLocation } from '../support/stores.js';

const roots: string[] = [];
let server: TestServer | null = null;
let child: ChildServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  if (child) {
    await child.kill('SIGTERM');
    await waitExit(child);
    child = null;
  }
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

/** A DATA_DIR that does not exist yet, below a fresh temporary directory. */
function newDataDir(): StoreLocation {
  const root = tempDir('calsync-modes-');
  roots.push(root);
  const dataDir = path.join(root, 'data');
  return { kind: 'sqlite', env: { DATA_DIR: dataDir }, dataDir, cleanup: async () => {} };
}

const modeOf = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

function modes(dataDir: string): Record<string, string> {
  const out: Record<string, string> = { '.': modeOf(dataDir) };
  for (const name of fs.readdirSync(dataDir)) out[name] = modeOf(path.join(dataDir, name));
  return out;
}

/** Starts with generated secrets (none configured) and stores one booking, so the WAL and SHM exist. */
async function startAndWrite(location: StoreLocation): Promise<TestServer> {
  const s = await startTestServer({ location, env: { CAL_WEBHOOK_SECRET: '', INTERNAL_API_KEY: '' } });
  const secret = s.app.secrets.webhookSecrets[0] as string;
  const res = await s.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid(`modes:${location.dataDir}`) }), { secret });
  expect(res.status).toBe(200);
  return s;
}

describe('DATA_DIR file modes', () => {
  it('a first start creates the directory 0700 and the store, its WAL and the generated secrets 0600', async () => {
    const location = newDataDir();
    server = await startAndWrite(location);
    const seen = modes(location.dataDir);
    expect(seen['.']).toBe('700');
    // (No -shm file: in EXCLUSIVE locking mode SQLite keeps the WAL index in memory; any file there is checked below.)
    for (const name of ['calsync.db', 'calsync.db-wal', GENERATED_SECRETS_FILE]) expect([name, seen[name]]).toEqual([name, '600']);
    expect(Object.entries(seen).filter(([name, mode]) => name !== '.' && mode !== '600')).toEqual([]);
    expect(server.logs.some((l) => String(l.msg).includes('tightened'))).toBe(false);
  });

  it('a start on a 0755/0644 tree tightens it and says so in the log', async () => {
    const location = newDataDir();
    server = await startAndWrite(location);
    await server.close();
    server = null;
    fs.chmodSync(location.dataDir, 0o755);
    for (const name of fs.readdirSync(location.dataDir)) fs.chmodSync(path.join(location.dataDir, name), 0o644);
    expect(modes(location.dataDir)['calsync.db']).toBe('644');

    server = await startAndWrite(location);
    const seen = modes(location.dataDir);
    expect(seen['.']).toBe('700');
    expect(Object.entries(seen).filter(([name, mode]) => name !== '.' && mode !== '600')).toEqual([]);
    const line = server.logs.find((l) => String(l.msg).includes('tightened'));
    expect(line).toBeDefined();
    const tightened = (line?.tightened ?? []) as { path: string; was: string }[];
    expect(tightened.map((t) => path.basename(t.path))).toEqual(expect.arrayContaining(['data', 'calsync.db', GENERATED_SECRETS_FILE]));
    expect(tightened.find((t) => t.path.endsWith('calsync.db'))?.was).toBe('644');
  });
});

describe('the generated-secrets banner', () => {
  it('a server whose stdout is not a terminal prints no secret value, and logs where the file is', async () => {
    const location = newDataDir();
    child = await spawnServer({ DATA_DIR: location.dataDir });
    await waitHealthy(child);
    const file = path.join(location.dataDir, GENERATED_SECRETS_FILE);
    const values = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.slice(line.indexOf('=') + 1));
    expect(values.length).toBe(2);
    for (const v of values) expect(v.length).toBeGreaterThanOrEqual(16);
    // Until the listening line is out, the start-up lines may still be coming.
    const deadline = Date.now() + 10_000;
    while (!child.stdout().includes('calsync listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const output = child.stdout() + child.stderr();
    expect(output).toContain('calsync listening');
    for (const v of values) expect(output).not.toContain(v);
    expect(output).not.toContain('=== calsync generated secrets');
    expect(output).toContain('generated secrets not printed');
    expect(output).toContain(file);
    expect(modeOf(file)).toBe('600');
  });
});
