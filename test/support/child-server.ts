// Runs the BUILT server (`node dist/src/main.js`, what `npm start` runs) as a child process, for tests that
// kill it, restart it, or watch it refuse to start. `npm test` builds dist first.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './stores.js';

export const MAIN_JS = path.resolve(import.meta.dirname, '..', '..', 'dist', 'src', 'main.js');
const HEALTH_POLL_MS = 25;

export interface ChildServer {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A port nobody listens on right now: bind to port 0, read the port, release it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function assertBuilt(): void {
  if (!fs.existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first (npm test does)`);
}

/**
 * Starts `node dist/src/main.js` with exactly `env` (plus PATH) in an empty working directory, so neither
 * the test runner's environment nor a stray `.env` leaks in.
 */
export async function spawnServer(env: Record<string, string>, options: { port?: number } = {}): Promise<ChildServer> {
  assertBuilt();
  const port = options.port ?? (await freePort());
  const cwd = tempDir('calsync-cwd-');
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      fs.rmSync(cwd, { recursive: true, force: true });
      resolve({ code, signal });
    });
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls /healthz until it answers 200; fails early, with the server's output, if the child exits. */
export async function waitHealthy(server: ChildServer, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void server.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`server exited before it was healthy:\nstdout: ${server.stdout()}\nstderr: ${server.stderr()}`);
    try {
      const res = await fetch(`${server.url}/healthz`);
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  throw new Error(`server not healthy after ${timeoutMs} ms:\nstdout: ${server.stdout()}\nstderr: ${server.stderr()}`);
}

/** Polls until the child's stdout contains `text`. */
export async function waitForOutput(server: ChildServer, text: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!server.stdout().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" in the server's output after ${timeoutMs} ms:\n${server.stdout()}\n${server.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
}

/** Waits for the child to exit, failing after `timeoutMs`. */
export async function waitExit(server: ChildServer, timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`server still running after ${timeoutMs} ms:\n${server.stdout()}\n${server.stderr()}`)), timeoutMs);
  });
  try {
    return await Promise.race([server.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
