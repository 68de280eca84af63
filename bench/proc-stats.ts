// CPU time and peak memory of processes, from Linux's /proc, for bench/fixed-rate.ts: what a server process
// (and the PostgreSQL server behind it) spent over a run, independent of what the load generator costs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ; 100 on every usual kernel). */
const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of `pid` in µs, or null when it is gone. The name may hold spaces and ')': fields count from the last ')'. */
export function cpuMicros(pid: number): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so field n is at index n - 3 (utime 14, stime 15).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND : null;
}

/** VmHWM (peak resident set since start) of `pid` in MB, or 0 when it is gone. */
export function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

const GROUP_POLL_MS = 250;

/**
 * The CPU spent by every process named `comm` (PostgreSQL: postmaster, backends, walwriter, checkpointer,
 * autovacuum) between start and stop. Backends end with their connection, taking their counters with them,
 * so each process is sampled every 250 ms and counted up to its last sample; a process that starts and ends
 * between two samples is missed (none does under a pool that stays connected).
 */
export function watchProcessGroup(comm: string): { stop(): number } {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = (initial: boolean) => {
    for (const pid of pidsNamed(comm)) {
      const us = cpuMicros(pid);
      if (us === null) continue;
      if (initial) first.set(pid, us);
      last.set(pid, us);
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), GROUP_POLL_MS);
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      let total = 0;
      for (const [pid, us] of last) total += us - (first.get(pid) ?? 0);
      return total;
    },
  };
}
