// The plug-in contract of a sink: a destination that mirrors appointments (Notion, outbound webhooks, ...).
//
// A sink sees appointments in domain terms. The generic worker (worker.ts) does everything else once for
// every sink: it finds the appointments whose mirror is behind (sink_state rows, level-triggered), claims
// them under the sink's leadership, loads each appointment (one batch of queries per pass), hands it over
// as a SinkTask, records the outcome, backs off after failures, carries in-flight work across merges,
// backfills appointments stored before the sink was switched on, and counts everything by sink name.
// A sink never reads or writes sink_state and never decodes an appointment row.
//
// Adding a sink: a folder under src/sinks/<name>/ whose factory returns a `Sink`, and one line in
// registry.ts (its name, title, and how the admin page links to its external object).
import type { AppointmentView } from '../store/appointment-view.js';

/** An appointment as a sink receives it. */
export interface SinkAppointment {
  id: number;
  /** +1 on every change; a sink reports which version the outside world now shows. */
  version: number;
  /**
   * The appointment exactly as GET /api/appointments/:id shows it at this version. Its `sync` part is the
   * bookkeeping of the moment (it may be behind); sinks should not base decisions on it.
   */
  view: AppointmentView;
  /** Every Cal.com uid the booking has had, the current one first (reschedules and merges add uids). */
  uids: string[];
}

/** One unit of work for a sink: bring the external object of one appointment up to date, or retire it. */
export interface SinkTask {
  appointmentId: number;
  /**
   * The appointment now; null only when it no longer exists. For a retire task this is the record that was
   * merged into another (its uids have moved to the survivor).
   */
  appointment: SinkAppointment | null;
  /** The external object this sink made for the appointment before (e.g. a Notion page id), if any. */
  externalId: string | null;
  /** The version the external object showed after the last successful sync (0: never synced). */
  syncedVersion: number;
  /** Failed attempts in a row for this appointment (0 on the first try). */
  attempts: number;
}

/** What a failed attempt means for its appointment. */
export type FailureClass =
  /** Try again later (backoff, at least `minDelayMs`). */
  | { kind: 'transient'; message: string; minDelayMs?: number }
  /** This version cannot be mirrored (the outside system refused it); wait for a new version. */
  | { kind: 'permanent'; message: string }
  /** Not the appointment's fault (stopping, leadership lost): give the claim back untouched. */
  | { kind: 'abandon'; message: string };

export interface SyncContext {
  /**
   * Records the external object's id at once (e.g. right after a create), before later steps can fail, so
   * that a retry updates it instead of creating another, and a merge meanwhile retires it.
   */
  saveExternalId(externalId: string): Promise<void>;
  /**
   * The appointment as it is now, read again (null if it is gone). For a sink that waited long inside a
   * sync (rate limits) and wants the write to carry the changes made meanwhile.
   */
  reload(): Promise<SinkAppointment | null>;
}

export interface SyncResult {
  externalId: string | null;
  /** The appointment version the external object now shows. */
  syncedVersion: number;
}

/** Hooks a sink's worker reports to (metrics count them by sink name); see registry.ts. */
export interface SinkWorkObserver {
  synced(sink: string): void;
  retried(sink: string, reason: 'sync_failed'): void;
  failed(sink: string): void;
}

export const NO_SINK_WORK_OBSERVER: SinkWorkObserver = {
  synced() {},
  retried() {},
  failed() {},
};

export interface Sink {
  /** The registered name (registry.ts): sink_state.sink, the metric label, the key under `sync` in the API. */
  readonly name: string;
  /**
   * Whether switching the sink on mirrors the appointments already stored (the worker gives each one a
   * pending task, in bounded batches). False for a sink that only reports changes from now on.
   */
  readonly backfill: boolean;
  /**
   * Runs at the start of each leadership term, and again until it succeeds, before any task is handed out
   * (resolve ids, check the schema, adopt a persisted pause). A throw is classified, logged and retried.
   */
  prepare(): Promise<void>;
  /**
   * Brings the external object to the appointment's current version (create, update, restore, adopt).
   * Called with `task.appointment` non-null. Resolves with the version shown; throws to fail the attempt.
   */
  sync(task: SinkTask, ctx: SyncContext): Promise<SyncResult>;
  /**
   * Removes the external object of a duplicate: the appointment was merged into another, whose own object
   * stays. `task.externalId` may be null (nothing was made); removing something already gone is success.
   */
  retire(task: SinkTask): Promise<void>;
  classify(err: unknown): FailureClass;
  /**
   * Optional shortcut for a sink that sometimes has nowhere to send anything (outbound webhooks with no
   * endpoint): marks its pending tasks due at or before `nowMs` as synced at their appointment's current
   * version in bulk, exactly as `sync` would have concluded, without claiming or loading them one by one.
   * The worker calls it on every pass before it looks for due rows; resolves with how many it settled.
   * A task changed after the call starts must stay pending (it may have a destination by then).
   */
  settleWithoutDestinations?(nowMs: number, at: string): Promise<number>;
  /** Called once when the worker has stopped taking work, before it waits for the syncs in flight. */
  stopping?(): void;
}
