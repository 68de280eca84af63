// Fault injection: which failure (if any) a request meets, and what each failure looks like on the wire.
// Random faults come from a seeded PRNG so a flaky-looking run replays with the same seed; queued faults
// (failNext) are deterministic and win over random ones.
import { randomBytes } from 'node:crypto';
import { blockLimitReached, NotionError } from './errors.js';
import type { Random } from './prng.js';

/** The infrastructure failures a client must ride out; what random fault runs draw from by default. */
export const FAULT_KINDS = ['500', '502', '503', '504', 'write_then_504', '409', '529'] as const;
/**
 * Answers that carry a meaning beyond "try again" (a 429 with its reason and Retry-After, the block cap's
 * refusal); usually set up one at a time with failNext, though setFaults takes them too.
 */
export const SPECIAL_FAULT_KINDS = ['429', 'block_limit'] as const;
export const ALL_FAULT_KINDS = [...FAULT_KINDS, ...SPECIAL_FAULT_KINDS] as const;
export type FaultKind = (typeof ALL_FAULT_KINDS)[number];

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
  /** '429', '503' and '529': the Retry-After header, in whole seconds; none when absent (429 default: 1). */
  retryAfterSeconds?: number;
  /** '429': `additional_data.rate_limit_reason`; default DEFAULT_RATE_LIMIT_REASON, null for none. */
  rateLimitReason?: string | null;
}

/** A fault as it is answered: its kind plus the details given with it. */
export interface PickedFault {
  kind: FaultKind;
  retryAfterSeconds: number | undefined;
  rateLimitReason: string | null | undefined;
}

interface QueuedFault extends PickedFault {
  remaining: number;
  method: string | undefined;
  path: string | RegExp | undefined;
}

/**
 * Notion's docs say `additional_data.rate_limit_reason` names the limit hit (the per-connection budget or the
 * workspace-wide limit) and that other values can appear; the exact strings were not in the pages read, so
 * these are the emulator's *(unverified)*.
 */
export const DEFAULT_RATE_LIMIT_REASON = 'connection_rate_limit';
export const WORKSPACE_RATE_LIMIT_REASON = 'workspace_rate_limit';

export class FaultInjector {
  private config: FaultConfig | null = null;
  private queue: QueuedFault[] = [];

  constructor(private random: Random) {}

  set(config: FaultConfig | null): void {
    if (config !== null) {
      if (!(config.rate >= 0 && config.rate <= 1)) throw new RangeError('fault rate must be within [0, 1]');
      if (config.rate > 0 && config.kinds.length === 0) throw new RangeError('fault kinds must not be empty');
      for (const kind of config.kinds) {
        if (!ALL_FAULT_KINDS.includes(kind)) throw new RangeError(`unknown fault kind ${String(kind)}`);
      }
    }
    this.config = config === null ? null : { rate: config.rate, kinds: [...config.kinds] };
  }

  failNext(kind: FaultKind, opts: FailNextOptions = {}): void {
    if (!ALL_FAULT_KINDS.includes(kind)) throw new RangeError(`unknown fault kind ${String(kind)}`);
    const times = opts.times ?? 1;
    if (!(times >= 1)) throw new RangeError('times must be >= 1');
    if (opts.retryAfterSeconds !== undefined && !(Number.isInteger(opts.retryAfterSeconds) && opts.retryAfterSeconds >= 0)) {
      throw new RangeError('retryAfterSeconds must be a whole number >= 0');
    }
    this.queue.push({
      kind,
      remaining: times,
      method: opts.method?.toUpperCase(),
      path: opts.path,
      retryAfterSeconds: opts.retryAfterSeconds,
      rateLimitReason: opts.rateLimitReason,
    });
  }

  reset(random: Random): void {
    this.random = random;
    this.config = null;
    this.queue = [];
  }

  pick(method: string, path: string): PickedFault | null {
    const queued = this.queue.find((q) => matches(q, method, path));
    if (queued !== undefined) {
      queued.remaining -= 1;
      if (queued.remaining === 0) this.queue.splice(this.queue.indexOf(queued), 1);
      return { kind: queued.kind, retryAfterSeconds: queued.retryAfterSeconds, rateLimitReason: queued.rateLimitReason };
    }
    const config = this.config;
    if (config === null || config.rate === 0 || config.kinds.length === 0) return null;
    if (this.random() >= config.rate) return null;
    const index = Math.min(config.kinds.length - 1, Math.floor(this.random() * config.kinds.length));
    const kind = config.kinds[index];
    return kind === undefined ? null : { kind, retryAfterSeconds: undefined, rateLimitReason: undefined };
  }
}

function matches(q: QueuedFault, method: string, path: string): boolean {
  if (q.method !== undefined && q.method !== method) return false;
  if (q.path === undefined) return true;
  return typeof q.path === 'string' ? q.path === path : q.path.test(path);
}

type JsonFaultKind = Exclude<FaultKind, '502' | 'write_then_504' | 'block_limit'>;

const JSON_FAULT_CODES = {
  '500': 'internal_server_error',
  '503': 'service_unavailable',
  '504': 'gateway_timeout',
  '409': 'conflict_error',
  '429': 'rate_limited',
  '529': 'service_overload',
} as const satisfies Record<JsonFaultKind, string>;

/**
 * The JSON error a fault answers with; '502' is HTML (see cloudflare502) and write_then_504 is a 504.
 * A 429 carries Retry-After (default 1 s) and `additional_data.rate_limit_reason`; a 503 or 529 carries
 * Retry-After only when one was given.
 */
export function faultError(fault: { kind: Exclude<FaultKind, '502'> } & Partial<Omit<PickedFault, 'kind'>>): NotionError {
  const { kind } = fault;
  if (kind === 'write_then_504') return new NotionError('gateway_timeout');
  if (kind === 'block_limit') return blockLimitReached();
  if (kind === '429') {
    const reason = fault.rateLimitReason === undefined ? DEFAULT_RATE_LIMIT_REASON : fault.rateLimitReason;
    return rateLimited(fault.retryAfterSeconds ?? 1, reason);
  }
  const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
  return new NotionError(JSON_FAULT_CODES[kind], undefined, headers);
}

/** Notion's 429: the exact body, Retry-After in whole seconds, and which limit was hit. */
export function rateLimited(retryAfterSeconds: number, reason: string | null): NotionError {
  return new NotionError('rate_limited', undefined, { 'retry-after': String(retryAfterSeconds) }, reason === null ? undefined : { rate_limit_reason: reason });
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
