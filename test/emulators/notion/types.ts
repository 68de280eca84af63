// The emulator's public surface, for tests that start it and assert on what it saw and stored.
import type { LatencyMs } from './controls.js';
import type { FailNextOptions, FaultConfig, FaultKind } from './faults.js';
import type { JsonObject } from './json.js';
import type { RateLimitConfig } from './rate-limit.js';
import type { EmulatorCounters, RequestLogEntry } from './request-log.js';
import type { DateValue } from './store/records.js';

export type { EmulatorCounters, FailNextOptions, FaultConfig, FaultKind, LatencyMs, RateLimitConfig, RequestLogEntry };

export interface NotionEmulatorOptions {
  /** The one bearer token accepted; default 'secret_test'. */
  token?: string;
  /** Token bucket per emulator; default null (unlimited). */
  rateLimit?: RateLimitConfig | null;
  /** Delay before each request is handled; default 0. */
  latencyMs?: LatencyMs;
  /** Seeds fault picks, random latency and property ids; default 1. */
  seed?: number;
  /** Random faults from the start; default none. */
  faults?: FaultConfig | null;
  /** The Free plan's lifetime block cap, counted in pages created; default null (no cap). */
  blockLimit?: number | null;
}

/** A page's value for one property, simplified for assertions. */
export type PlainValue = string | number | boolean | null | string[] | DateValue;

export interface EmulatedPage {
  id: string;
  dataSourceId: string;
  databaseId: string;
  inTrash: boolean;
  /** Exact ISO timestamps (the API rounds them to the minute). */
  createdTime: string;
  lastEditedTime: string;
  /** Keyed by property name, in Notion's response format ({id, type, <type>: value}). */
  properties: Record<string, JsonObject>;
  /**
   * Keyed by property name: title/rich_text → plain text; email/phone_number/url → string|null;
   * select/status → option name|null; multi_select → names; relation → page ids; date → {start,end,time_zone}|null;
   * number → number|null; checkbox → boolean; created_time/last_edited_time → ISO string.
   */
  plain: Record<string, PlainValue>;
}

export interface DatabaseSnapshot {
  id: string;
  title: string;
  parentPageId: string;
  inTrash: boolean;
  dataSourceIds: string[];
}

export interface DataSourceSnapshot {
  id: string;
  databaseId: string;
  title: string;
  inTrash: boolean;
  /** Keyed by property name, as GET /v1/data_sources/:id returns them. */
  properties: Record<string, JsonObject>;
}

export interface PageQueryOptions {
  /** Include trashed pages; default false, as a query does. */
  includeTrashed?: boolean;
}

export interface SeedDatabaseInput {
  title?: string;
  /** Default: a fresh parent page id. */
  parentPageId?: string;
  /** Request-format property configs, as in initial_data_source.properties. */
  properties: Record<string, unknown>;
}

/** Read and seed the emulated workspace directly, bypassing HTTP (and so faults, rate limits and the log). */
export interface EmulatorState {
  databases(): DatabaseSnapshot[];
  dataSources(): DataSourceSnapshot[];
  dataSource(id: string): DataSourceSnapshot | undefined;
  pages(opts?: PageQueryOptions): EmulatedPage[];
  page(id: string): EmulatedPage | undefined;
  pagesIn(dataSourceId: string, opts?: PageQueryOptions): EmulatedPage[];
  findPages(dataSourceId: string, predicate: (page: EmulatedPage) => boolean, opts?: PageQueryOptions): EmulatedPage[];
  /** A page id to use as a database parent (any UUID is accepted as one anyway). */
  createParentPage(): string;
  /** Creates a database with one data source through the same validation as POST /v1/databases. */
  createDatabase(input: SeedDatabaseInput): { databaseId: string; dataSourceId: string };
  /** Creates a row through the same validation as POST /v1/pages; `properties` in request format. */
  createPage(dataSourceId: string, properties: Record<string, unknown>): EmulatedPage;
}

export interface NotionEmulator {
  /** Base URL for `new Client({ baseUrl })`; the SDK appends /v1/... */
  readonly url: string;
  readonly token: string;
  /** Every request, in arrival order. */
  readonly requests: readonly RequestLogEntry[];
  readonly counters: EmulatorCounters;
  readonly count429: number;
  readonly state: EmulatorState;
  setFaults(faults: FaultConfig | null): void;
  /** Deterministic faults: the next `times` matching requests fail with `kind`; they win over random faults. */
  failNext(kind: FaultKind, opts?: FailNextOptions): void;
  setOutage(on: boolean): void;
  setLatency(latency: LatencyMs): void;
  /** Replaces the bucket (starting full), or removes the limit with null. */
  setRateLimit(rateLimit: RateLimitConfig | null): void;
  /**
   * Caps the pages the workspace may hold (trashed ones count): a page create beyond it gets 400
   * validation_error with BLOCK_LIMIT_MESSAGE, while reads and edits go on; null lifts the cap.
   */
  setBlockLimit(limit: number | null): void;
  pagesIn(dataSourceId: string, opts?: PageQueryOptions): EmulatedPage[];
  findPages(dataSourceId: string, predicate: (page: EmulatedPage) => boolean, opts?: PageQueryOptions): EmulatedPage[];
  /** Forgets the request log only. */
  clearRequests(): void;
  /** Back to the start: empty workspace and log, and the options' token, rate limit, latency, seed and faults. */
  reset(): void;
  /** Cancels pending latency timers, drops open connections and stops listening. */
  close(): Promise<void>;
}
