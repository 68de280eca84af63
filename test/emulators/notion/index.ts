// Public entry point of the Notion API emulator used by calsync's tests. See README.md in this folder.
export { DEFAULT_TOKEN, startNotionEmulator } from './emulator.js';
export { ALL_FAULT_KINDS, DEFAULT_RATE_LIMIT_REASON, FAULT_KINDS, SPECIAL_FAULT_KINDS, WORKSPACE_RATE_LIMIT_REASON } from './faults.js';
export { BLOCK_LIMIT_MESSAGE, NOTION_ERROR_TABLE, type NotionErrorCode } from './errors.js';
export type {
  DatabaseSnapshot,
  DataSourceSnapshot,
  EmulatedPage,
  EmulatorCounters,
  EmulatorState,
  FailNextOptions,
  FaultConfig,
  FaultKind,
  LatencyMs,
  NotionEmulator,
  NotionEmulatorOptions,
  PageQueryOptions,
  PlainValue,
  RateLimitConfig,
  RequestLogEntry,
  SeedDatabaseInput,
} from './types.js';
