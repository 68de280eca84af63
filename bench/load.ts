// Shared load generation for the benchmarks: child-process servers and autocannon driving unique, signed,
// realistic Cal.com bodies at them.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import autocannon from 'autocannon';
import { buildCalcomBody, makeBookingUid, serializeCalcomBody, signCalcomBody } from '../src/calcom/samples.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  peakRssMb(): number;
  stop(): Promise<void>;
}

/**
 * Starts a node script and waits until /healthz (or the given probe) answers. BENCH_NODE_FLAGS (e.g.
 * "--max-semi-space-size=4") is passed to node for the servers, to measure V8 settings an operator might use.
 */
export async function startServer(script: string, env: Record<string, string>, probePath = '/healthz'): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), script], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      const r = await fetch(url + probePath, { method: probePath === '/webhooks/calcom' ? 'POST' : 'GET' });
      if (r.status < 500) break;
    } catch {
      /* not yet listening */
    }
    if (Date.now() > deadline) throw new Error(`${script} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(child.pid));
  }, 200);
  return {
    url,
    child,
    peakRssMb: () => Math.max(peak, rssOf(child.pid)),
    async stop() {
      clearInterval(timer);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** A body template with a placeholder uid, so each request costs a string replace and one HMAC. */
function bodyFactory(secret: string): () => { body: string; signature: string } {
  const placeholder = makeBookingUid('bench-template');
  // One organizer with consecutive 30-minute slots: realistic, and no artificial pile of overlaps.
  const START = '2030-01-01T00:00:00Z';
  const END = '2030-01-01T00:30:00Z';
  const SLOT_MS = 30 * 60_000;
  const base = Date.parse(START) + (process.pid % 1000) * 1000 * SLOT_MS;
  const template = serializeCalcomBody(buildCalcomBody('BOOKING_CREATED', { uid: placeholder, bookingId: 1, startTime: START, endTime: END }));
  let n = 0;
  return () => {
    n += 1;
    // Zero-padded at the front: padding at the end made n and 36·n the same uid.
    const uid = `b${process.pid.toString(36)}x${n.toString(36).padStart(12, '0')}`.padStart(22, '0');
    const start = new Date(base + n * SLOT_MS).toISOString().replace('.000Z', 'Z');
    const end = new Date(base + n * SLOT_MS + SLOT_MS).toISOString().replace('.000Z', 'Z');
    const body = template.split(placeholder).join(uid).replace(START, start).replace(END, end);
    return { body, signature: signCalcomBody(body, secret) };
  };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
}

export interface LoadOptions {
  url: string;
  secret: string;
  connections: number;
  durationSeconds: number;
  /** Fixed request rate for the whole run (req/s); omit for as fast as possible. */
  overallRate?: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const next = bodyFactory(options.secret);
  const result = await autocannon({
    url: options.url + '/webhooks/calcom',
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [
      {
        method: 'POST',
        setupRequest: (req: Record<string, unknown>) => {
          const { body, signature } = next();
          return { ...req, body, headers: { 'content-type': 'application/json', 'x-cal-signature-256': signature } };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}
