// The server's heap growth limit (src/heap-growth.ts): after a full GC, V8 may grow the old generation only by
// half of what stayed live, so promoted garbage does not pile up to several times the live heap. Shown on a
// child process that keeps a live set and promotes garbage steadily (objects that outlive two young
// collections, as a server's in-flight work does), with and without the limit; and an operator's own value wins.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from '../../src/heap-growth.js';

const run = promisify(execFile);
const built = path.resolve(import.meta.dirname, '../../dist/src/heap-growth.js');

/** Keeps ~45 MB live and churns ~700 MB through the old generation; prints the peak old space after the first full GCs. */
const CHURN = `
import v8 from 'node:v8';
import { PerformanceObserver, constants } from 'node:perf_hooks';
if (process.argv[1] === 'limit') (await import(${JSON.stringify(built)})).limitHeapGrowth();
let fullGcs = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullGcs++; }).observe({ entryTypes: ['gc'] });
const live = Array.from({ length: 20000 }, (_, i) => ({ i, s: 'x'.repeat(1000) + i }));
const ring = new Array(60000);
let peak = 0;
for (let round = 0; round < 600; round++) {
  for (let j = 0; j < 3000; j++) ring[(round * 3000 + j) % ring.length] = { round, j, s: 'y'.repeat(300) + j, a: [round, j] };
  await new Promise((r) => setImmediate(r));
  if (fullGcs >= 2) peak = Math.max(peak, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
}
console.log(JSON.stringify({ fullGcs, peak, live: live.length }));
`;

async function churn(mode: 'limit' | 'none'): Promise<{ fullGcs: number; peak: number }> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHURN, mode], { timeout: 60_000 });
  return JSON.parse(stdout) as { fullGcs: number; peak: number };
}

describe('heap growth limit', () => {
  it('keeps the old generation near its live size where V8 alone lets garbage grow it to several times that', { timeout: 90_000 }, async () => {
    const [limited, unlimited] = await Promise.all([churn('limit'), churn('none')]);
    // Without the limit V8 lets ~45 MB live grow to ~200 MB; with it, to about 1.5× plus what is promoted meanwhile.
    expect(unlimited.peak).toBeGreaterThan(120e6);
    expect(limited.peak).toBeLessThan(unlimited.peak * 0.6);
    // The price is more frequent full GCs.
    expect(limited.fullGcs).toBeGreaterThan(unlimited.fullGcs);
  });

  it("leaves an operator's own value alone (node started with the flag)", () => {
    expect(limitHeapGrowth(['--max-old-space-size=512', '--heap-growing-percent=300'])).toBe(false);
    expect(limitHeapGrowth(['--heap_growing_percent=20'])).toBe(false);
    expect(HEAP_GROWING_PERCENT).toBeGreaterThan(0);
  });
});
