// `calsync notion init` run twice, with half a pair, and without a network: against the Notion emulator.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runNotionInit } from '../../src/cli/notion-init.js';
import { startNotionEmulator, type NotionEmulator } from '../emulators/notion/index.js';

function io(env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l), env } };
}

function envLines(out: string[]): Record<string, string> {
  return Object.fromEntries(out.filter((l) => /^NOTION_\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

async function unusedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('calsync notion init, again and again', () => {
  let emulator: NotionEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('a second run reuses the pair it created under that parent; --force makes a new pair', async () => {
    emulator = await startNotionEmulator();
    const parent = emulator.state.createParentPage();
    const env = { NOTION_TOKEN: emulator.token, NOTION_API_URL: emulator.url };
    const first = io(env);
    expect(await runNotionInit(['init', '--parent', parent], first.io)).toBe(0);
    const second = io(env);
    expect(await runNotionInit(['init', '--parent', parent], second.io)).toBe(0);
    expect(second.err).toEqual([]);
    expect(second.out[0]).toContain('reused them');
    expect(envLines(second.out)).toEqual(envLines(first.out));
    expect(emulator.state.databases()).toHaveLength(2);

    // Another parent page is another pair.
    const other = io(env);
    expect(await runNotionInit(['init', '--parent', emulator.state.createParentPage()], other.io)).toBe(0);
    expect(emulator.state.databases()).toHaveLength(4);

    const forced = io(env);
    expect(await runNotionInit(['init', '--parent', parent, '--force'], forced.io)).toBe(0);
    expect(forced.out[0]).toContain('Created');
    expect(envLines(forced.out).NOTION_SESSIONS_DATABASE_ID).not.toBe(envLines(first.out).NOTION_SESSIONS_DATABASE_ID);
    expect(emulator.state.databases()).toHaveLength(6);

    // Now there are two of each under the page: nothing single to reuse, so it refuses and creates nothing.
    const ambiguous = io(env);
    expect(await runNotionInit(['init', '--parent', parent], ambiguous.io)).toBe(1);
    expect(ambiguous.err[0]).toMatch(/found 2 "Clients" and 2 "Sessions" database\(s\) under that page.*--force/);
    expect(ambiguous.out).toEqual([]);
    expect(emulator.state.databases()).toHaveLength(6);
  });

  it('refuses when only one of the two exists under the parent (half a pair), creating nothing', async () => {
    emulator = await startNotionEmulator();
    const parent = emulator.state.createParentPage();
    const env = { NOTION_TOKEN: emulator.token, NOTION_API_URL: emulator.url };
    expect(await runNotionInit(['init', '--parent', parent, '--sessions-title', 'Other sessions'], io(env).io)).toBe(0);
    const run = io(env);
    expect(await runNotionInit(['init', '--parent', parent], run.io)).toBe(1);
    expect(run.err[0]).toContain('found 1 "Clients" and 0 "Sessions" database(s)');
    expect(emulator.state.databases()).toHaveLength(2);
  });

  it('a network failure is reported as such, not as a refusal by Notion', async () => {
    const closed = await unusedPortUrl();
    const run = io({ NOTION_TOKEN: 'secret_x', NOTION_API_URL: closed });
    expect(await runNotionInit(['init', '--parent', '0f0e0d0c0b0a40908070605040302010'], run.io)).toBe(1);
    expect(run.err[0]).toMatch(new RegExp(`^calsync notion init: cannot reach Notion at ${closed.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\); nothing was created$`));
    expect(run.err.join('\n')).not.toContain('refused to create');
  });
});
