// How far V8 lets the heap grow between full garbage collections, for a long-running server (issue 14).
//
// V8 sizes the old generation for throughput: after a full GC it lets the heap grow to up to 4× what that GC
// kept before collecting again. Under load the intake promotes short-lived objects steadily (~1 MB per young
// collection), so calsync's ~20 MB live heap sat in an old generation filled to ~70 MB with garbage, ~45 MB more
// peak RSS than the floor (bench/durable-floor-server.ts). Letting it grow by half of what stays live keeps the
// old generation near 25 MB: peak RSS ~40 MB lower, with more frequent but small full GCs (most of their
// marking runs on V8's background thread) and no measurable CPU cost per event at 500 webhooks a second
// (BENCHMARKS.md, "Issue 14, third session").
//
// The growth factor is read at every full GC, so setting it once the process runs takes effect (unlike the
// young generation's size, which V8 fixes at start). An operator who starts node with the flag
// (`node --heap-growing-percent=N dist/src/main.js`; Node refuses it in NODE_OPTIONS) keeps their value.
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;
const FLAG = '--heap-growing-percent';

/** Applies HEAP_GROWING_PERCENT unless node was started with its own; returns whether it applied it. */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  const given = execArgv.some((a) => a.startsWith(FLAG) || a.startsWith('--heap_growing_percent'));
  if (given) return false;
  v8.setFlagsFromString(`${FLAG}=${HEAP_GROWING_PERCENT}`);
  return true;
}
