// Fault injection: which failure (if any) a request meets, and what each failure looks like on the wire.
// Random faults come from a seeded PRNG so a flaky-looking run replays with the same seed; queued faults
// (failNext) are deterministic and win over random ones.
import { randomBytes } from 'node:crypto';
import { NotionError } from './errors.js';
import type { Random } from './prng.js';

export const FAULT_KINDS = ['500', '502', '503', '504', 'write_then_504', '409', '529'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultConfig {
  /** Probability in [0, 1] that an authorised, routed request meets a fault. */
  rate: number;
  kinds: readonly FaultKind[];
}

export interface FailNextOptions {
  /** How many matching requests fail; default 1. */
  times?: number;
  /** Only requests with this method (case-insensitive). */
  method?: string;
  /** Only requests whose path equals this string or matches this RegExp. */
  path?: string | RegExp;
}

interface QueuedFault {
  kind: FaultKind;
  remaining: number;
  method: string | undefined;
  path: string | RegExp | undefined;
}

export class FaultInjector {
  private config: FaultConfig | null = null;
  private queue: QueuedFault[] = [];

  constructor(private random: Random) {}

  set(config: FaultConfig | null): void {
    if (config !== null) {
      if (!(config.rate >= 0 && config.rate <= 1)) throw new RangeError('fault rate must be within [0, 1]');
      if (config.rate > 0 && config.kinds.length === 0) throw new RangeError('fault kinds must not be empty');
      for (const kind of config.kinds) {
        if (!FAULT_KINDS.includes(kind)) throw new RangeError(`unknown fault kind ${String(kind)}`);
      }
    }
    this.config = config === null ? null : { rate: config.rate, kinds: [...config.kinds] };
  }

  failNext(kind: FaultKind, opts: FailNextOptions = {}): void {
    if (!FAULT_KINDS.includes(kind)) throw new RangeError(`unknown fault kind ${String(kind)}`);
    const times = opts.times ?? 1;
    if (!(times >= 1)) throw new RangeError('times must be >= 1');
    this.queue.push({ kind, remaining: times, method: opts.method?.toUpperCase(), path: opts.path });
  }

  reset(random: Random): void {
    this.random = random;
    this.config = null;
    this.queue = [];
  }

  pick(method: string, path: string): FaultKind | null {
    const queued = this.queue.find((q) => matches(q, method, path));
    if (queued !== undefined) {
      queued.remaining -= 1;
      if (queued.remaining === 0) this.queue.splice(this.queue.indexOf(queued), 1);
      return queued.kind;
    }
    const config = this.config;
    if (config === null || config.rate === 0 || config.kinds.length === 0) return null;
    if (this.random() >= config.rate) return null;
    const index = Math.min(config.kinds.length - 1, Math.floor(this.random() * config.kinds.length));
    return config.kinds[index] ?? null;
  }
}

function matches(q: QueuedFault, method: string, path: string): boolean {
  if (q.method !== undefined && q.method !== method) return false;
  if (q.path === undefined) return true;
  return typeof q.path === 'string' ? q.path === path : q.path.test(path);
}

type JsonFaultKind = Exclude<FaultKind, '502' | 'write_then_504'>;

const JSON_FAULT_CODES = {
  '500': 'internal_server_error',
  '503': 'service_unavailable',
  '504': 'gateway_timeout',
  '409': 'conflict_error',
  '529': 'service_overload',
} as const satisfies Record<JsonFaultKind, string>;

/** The JSON error a fault answers with; '502' is HTML (see cloudflare502) and write_then_504 is a 504. */
export function faultError(kind: JsonFaultKind | 'write_then_504'): NotionError {
  return new NotionError(kind === 'write_then_504' ? 'gateway_timeout' : JSON_FAULT_CODES[kind]);
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * What Notion's Cloudflare edge sends when the origin is unreachable: an HTML page with a `cf-ray`
 * header and no `x-notion-request-id`, so the SDK raises UnknownHTTPResponseError and never retries.
 */
export function cloudflare502(): RawResponse {
  const rayId = `${randomBytes(8).toString('hex')}-SJC`;
  const body = [
    '<html>',
    '<head><title>502 Bad Gateway</title></head>',
    '<body>',
    '<center><h1>502 Bad Gateway</h1></center>',
    '<hr><center>cloudflare</center>',
    '</body>',
    '</html>',
    '',
  ].join('\r\n');
  return {
    status: 502,
    headers: { 'content-type': 'text/html', 'cf-ray': rayId, server: 'cloudflare' },
    body,
  };
}
