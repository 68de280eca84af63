// What the Notion sink reports as it works, so metrics (and tests) can watch it without the sink knowing
// about prom-client. compose.ts wires an implementation; the default does nothing.

export interface NotionSinkObserver {
  /** Every HTTP exchange with Notion; status 0 when no answer came (timeout, network error). */
  request(method: string, status: number): void;
  /** A 429: the whole sink pauses for this long (and the request is sent again after it). */
  rateLimited(retryAfterMs: number): void;
  /** A 529 service_overload: the whole sink pauses for this long (and the request is sent again after it). */
  overloaded?(pauseMs: number): void;
  /**
   * Something is tried again: 'rate_limited' / 'service_overload' (a request re-sent after a 429's or a
   * 529's pause), or 'sync_failed' (a sync failed transiently, 5xx/409/timeout/network, and its row was
   * scheduled again).
   */
  retried(reason: 'rate_limited' | 'service_overload' | 'sync_failed'): void;
  /** An appointment's page now shows its current version. */
  synced(): void;
  /** Notion refused an appointment's values (400); it waits for a new version. */
  failed(): void;
}

export const NO_NOTION_OBSERVER: NotionSinkObserver = {
  request() {},
  rateLimited() {},
  retried() {},
  synced() {},
  failed() {},
};
