// Every request the emulator saw, for assertions such as "the client never exceeded 3 req/s" or
// "the create was sent exactly once", plus counters derived from it.
import type { FaultKind } from './faults.js';

export interface RequestLogEntry {
  /** Notion's request id, as sent in x-notion-request-id and error bodies. */
  requestId: string;
  method: string;
  path: string;
  /** The raw query string, '' when none. */
  query: string;
  /** The status answered; 0 while in flight or when the emulator closed before answering. */
  status: number;
  /** When the request arrived, in ms since the epoch. */
  at: number;
  notionVersion: string | null;
  /** The parsed JSON body, the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
  /** The injected failure this request met, if any. */
  fault: FaultKind | 'outage' | null;
}

export interface EmulatorCounters {
  total: number;
  byStatus: Record<number, number>;
  count429: number;
  count5xx: number;
  faultsInjected: number;
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  begin(entry: Omit<RequestLogEntry, 'status' | 'fault'>): RequestLogEntry {
    const full: RequestLogEntry = { ...entry, status: 0, fault: null };
    this.entries.push(full);
    return full;
  }

  clear(): void {
    this.entries.length = 0;
  }

  counters(): EmulatorCounters {
    const byStatus: Record<number, number> = {};
    let faultsInjected = 0;
    for (const e of this.entries) {
      if (e.status !== 0) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
      if (e.fault !== null && e.fault !== 'outage') faultsInjected += 1;
    }
    const count5xx = Object.entries(byStatus)
      .filter(([status]) => Number(status) >= 500)
      .reduce((sum, [, n]) => sum + n, 0);
    return { total: this.entries.length, byStatus, count429: byStatus[429] ?? 0, count5xx, faultsInjected };
  }
}
