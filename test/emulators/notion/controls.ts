// The knobs a test turns at runtime (outage, latency, rate limit, faults); server.ts reads them per request.
import type { FaultInjector } from './faults.js';
import type { Random } from './prng.js';
import type { TokenBucket } from './rate-limit.js';

/** A fixed delay, or a uniform one between min and max (seeded), before each request is handled. */
export type LatencyMs = number | { min: number; max: number };

export interface Controls {
  token: string;
  outage: boolean;
  latency: LatencyMs;
  bucket: TokenBucket | null;
  faults: FaultInjector;
  /** Pages the workspace may hold before creates are refused (the Free plan's block cap); null = no cap. */
  blockLimit: number | null;
  latencyRandom: Random;
  /** Property/option ids; seeded so schemas are reproducible. */
  idRandom: Random;
}

export function validateLatency(latency: LatencyMs): void {
  const ok = typeof latency === 'number' ? latency >= 0 : latency.min >= 0 && latency.max >= latency.min;
  if (!ok) throw new RangeError('latencyMs must be >= 0, or {min, max} with 0 <= min <= max');
}

export function latencyFor(latency: LatencyMs, random: Random): number {
  if (typeof latency === 'number') return latency;
  return latency.min + random() * (latency.max - latency.min);
}
