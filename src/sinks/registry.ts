// The sinks calsync knows, in one place. A sink's name is its sink_state.sink, its metric label, its key
// under `sync` in the API and its row on the admin page; only names listed here ever become label values,
// so a metric's cardinality is bounded by this list. A leaf module (no imports): HTTP, metrics and the
// workers all read it without depending on any sink's code.
//
// Adding a sink: its folder under src/sinks/<name>/ (a factory returning a `Sink`, see sink.ts) and one
// line below.

export interface SinkRegistration {
  /** Lowercase, stable: stored in sink_state and used as a label. */
  readonly name: string;
  /** What the admin page calls it. */
  readonly title: string;
  /**
   * The API shows `sync.<name>` on every appointment, as `not_mirrored` when the sink is off or has not
   * heard of it (the contract promises `sync.notion`).
   */
  readonly alwaysInApi: boolean;
  /**
   * Its per-appointment bookkeeping stays out of the API's `sync` (outbound webhooks: delivery is per endpoint,
   * shown on /api/webhook-endpoints; the row flips pending → synced within milliseconds of every change).
   */
  readonly hiddenFromApi?: boolean;
  /** Where a person can open the external object, for the admin page; null when there is nothing to open. */
  readonly externalUrl?: (externalId: string) => string | null;
}

/** The Notion mirror's name: the sink, its rows, its labels and the API's `sync.notion` (the contract's word). */
export const NOTION_SINK = 'notion';

export const SINK_REGISTRY: readonly SinkRegistration[] = [
  { name: NOTION_SINK, title: 'Notion', alwaysInApi: true, externalUrl: (pageId) => `https://www.notion.so/${encodeURIComponent(pageId.replace(/-/g, ''))}` },
  { name: 'webhooks', title: 'Outbound webhooks', alwaysInApi: false, hiddenFromApi: true },
];

/** The label a metric uses for a sink name it did not choose itself (e.g. a row in the store). */
export const UNREGISTERED_SINK_LABEL = 'other';

export const SINK_NAMES: readonly string[] = SINK_REGISTRY.map((s) => s.name);

/** Sinks whose `sync.<name>` every appointment view carries. */
export const API_SYNC_SINKS: readonly string[] = SINK_REGISTRY.filter((s) => s.alwaysInApi).map((s) => s.name);

/** Sinks whose state no appointment view shows. */
export const API_HIDDEN_SINKS: readonly string[] = SINK_REGISTRY.filter((s) => s.hiddenFromApi === true).map((s) => s.name);

export function findSink(name: string): SinkRegistration | undefined {
  return SINK_REGISTRY.find((s) => s.name === name);
}

export function isRegisteredSink(name: string): boolean {
  return SINK_NAMES.includes(name);
}

/** A metric label for a sink name: the name when registered, else one fixed value. */
export function sinkLabel(name: string): string {
  return isRegisteredSink(name) ? name : UNREGISTERED_SINK_LABEL;
}
