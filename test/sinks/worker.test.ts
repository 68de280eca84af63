// The generic level-triggered sink worker against a real store (both dialects) and real intake, with a sink
// handler the test controls: explicit states, stop() that waits, failures recorded on the row (never thrown
// out of the loop), and a change that lands during a sync being synced again.
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { Intake } from '../../src/intake/intake.js';
import { incomingEvent, readDelivery } from '../../src/intake/incoming.js';
import type { IncomingEvent } from '../../src/intake/record-event.js';
import { ALWAYS_LEADER } from '../../src/sinks/leadership.js';
import type { FailureClass, Sink, SinkTask, SyncContext, SyncResult } from '../../src/sinks/sink.js';
import { SinkWorker } from '../../src/sinks/worker.js';
import type { SinkStateRow } from '../../src/store/schema.js';
import { openFreshStore, type OpenedTestStore } from '../support/open-store.js';
import { STORE_KINDS } from '../support/stores.js';
import { calcomBody, waitFor } from './support/notion.js';

const SINK = 'fake';
const log = pino({ level: 'silent' });
const TUNING = { concurrency: 4, pollIntervalMs: 20, claimLeaseMs: 60_000, errorDelayMs: 20, maxErrorDelayMs: 100, backoff: { baseDelayMs: 50, maxDelayMs: 200 } };

class TransientError extends Error {}
class RefusedError extends Error {}

/** A sink whose behaviour each test sets; records what it was asked to do. */
class FakeSink implements Sink {
  readonly name = SINK;
  backfill = false;
  synced: { appointmentId: number; version: number }[] = [];
  tasks: SinkTask[] = [];
  retired: SinkTask[] = [];
  prepareFailures = 0;
  fail: ((task: SinkTask) => Error | null) | null = null;
  gate: Promise<void> | null = null;
  entered: (() => void) | null = null;

  async prepare(): Promise<void> {
    if (this.prepareFailures > 0) {
      this.prepareFailures -= 1;
      throw new TransientError('not ready yet');
    }
  }

  async sync(task: SinkTask, ctx: SyncContext): Promise<SyncResult> {
    this.tasks.push(task);
    this.entered?.();
    if (this.gate) await this.gate;
    const error = this.fail?.(task) ?? null;
    if (error) throw error;
    await ctx.saveExternalId(`ext-${task.appointmentId}`);
    const version = task.appointment!.version;
    this.synced.push({ appointmentId: task.appointmentId, version });
    return { externalId: `ext-${task.appointmentId}`, syncedVersion: version };
  }

  async retire(task: SinkTask): Promise<void> {
    this.retired.push(task);
  }

  classify(err: unknown): FailureClass {
    if (err instanceof RefusedError) return { kind: 'permanent', message: err.message };
    return { kind: 'transient', message: (err as Error).message };
  }
}

function incoming(body: Record<string, unknown>): IncomingEvent {
  return incomingEvent(readDelivery(body), { source: 'webhook', rawBody: JSON.stringify(body), headers: {} });
}

describe.each(STORE_KINDS)('SinkWorker (%s)', (kind) => {
  let opened: OpenedTestStore;
  let intake: Intake;
  let sink: FakeSink;
  let worker: SinkWorker;
  const noop = { synced() {}, retried() {}, failed() {} };

  beforeEach(async () => {
    opened = await openFreshStore(kind);
    intake = new Intake(opened.store, { sinks: [SINK], log });
    sink = new FakeSink();
    worker = new SinkWorker({ sink, store: opened.store, log, leadership: ALWAYS_LEADER, tuning: TUNING, observer: noop });
  });

  afterEach(async () => {
    await worker.stop();
    await intake.idle();
    await opened.dispose();
  });

  async function book(uid = makeBookingUid(), options: Record<string, unknown> = {}): Promise<number> {
    const outcome = await intake.submit(incoming(calcomBody('BOOKING_CREATED', { uid, ...options })));
    if (outcome.status !== 'processed') throw new Error('not processed');
    return outcome.appointmentId;
  }

  async function rowOf(appointmentId: number): Promise<SinkStateRow> {
    return opened.store.db.selectFrom('sink_state').selectAll().where('sink', '=', SINK).where('appointment_id', '=', appointmentId).executeTakeFirstOrThrow();
  }

  it('moves through starting/running/stopping/stopped, and stop() waits for the sync in flight', async () => {
    expect(worker.state).toBe('idle');
    let release!: () => void;
    sink.gate = new Promise((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => (sink.entered = resolve));
    const id = await book();
    worker.start();
    expect(['starting', 'running']).toContain(worker.state);
    await entered;
    expect(worker.busy).toBe(1);
    expect((await rowOf(id)).state).toBe('syncing');

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(worker.state).toBe('stopping');
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(worker.state).toBe('stopped');
    expect(await rowOf(id)).toMatchObject({ state: 'synced', synced_version: 1, external_id: `ext-${id}`, attempts: 0 });
  });

  it('records a transient failure on the row, backs off, keeps running, and succeeds later', async () => {
    let failures = 2;
    sink.fail = () => (failures-- > 0 ? new TransientError('Notion said 503') : null);
    const id = await book();
    worker.start();
    const retrying = await waitFor('a recorded failure', async () => {
      const row = await rowOf(id);
      return row.state === 'retrying' ? row : undefined;
    });
    expect(retrying.last_error).toBe('Notion said 503');
    expect(retrying.attempts).toBeGreaterThanOrEqual(1);
    expect(retrying.next_attempt_at).toBeGreaterThan(Date.now() - 1_000);
    const done = await waitFor('success', async () => {
      const row = await rowOf(id);
      return row.state === 'synced' ? row : undefined;
    });
    expect(done).toMatchObject({ attempts: 0, last_error: null, external_id: `ext-${id}` });
    expect(worker.state).toBe('running');
  });

  it('a permanent refusal is `failed` and not retried until a new version arrives', async () => {
    sink.fail = () => new RefusedError('validation_error: Email is expected to be email.');
    const uid = makeBookingUid();
    const id = await book(uid);
    worker.start();
    const failed = await waitFor('the refusal', async () => {
      const row = await rowOf(id);
      return row.state === 'failed' ? row : undefined;
    });
    expect(failed).toMatchObject({ last_error: 'validation_error: Email is expected to be email.', attempts: 1, synced_version: 0 });
    sink.fail = null;
    // Give the worker many polls: it must not pick the failed row up again.
    await new Promise((resolve) => setTimeout(resolve, 10 * TUNING.pollIntervalMs));
    expect(sink.synced).toHaveLength(0);
    await book(uid, { startTime: '2031-10-10T10:00:00Z', endTime: '2031-10-10T10:30:00Z' });
    await waitFor('the new version synced', async () => (await rowOf(id)).state === 'synced');
    expect(sink.synced).toEqual([{ appointmentId: id, version: 2 }]);
  });

  it('a failing prepare is retried and holds every row back meanwhile', async () => {
    sink.prepareFailures = 3;
    const id = await book();
    worker.start();
    await waitFor('the row synced once prepare succeeds', async () => (await rowOf(id)).state === 'synced');
    expect(sink.prepareFailures).toBe(0);
    expect(sink.synced).toHaveLength(1);
  });

  it('several changes before the worker gets there cost one sync, of the latest version', async () => {
    const uid = makeBookingUid();
    const id = await book(uid);
    await book(uid, { startTime: '2031-11-11T11:00:00Z', endTime: '2031-11-11T11:30:00Z' });
    await book(uid, { startTime: '2031-11-12T11:00:00Z', endTime: '2031-11-12T11:30:00Z' });
    worker.start();
    await waitFor('the row synced', async () => (await rowOf(id)).state === 'synced');
    expect(sink.synced).toEqual([{ appointmentId: id, version: 3 }]);
    expect((await rowOf(id)).synced_version).toBe(3);
  });

  it('a change that lands while its sync is in flight is synced again (level-triggered)', async () => {
    let release!: () => void;
    sink.gate = new Promise((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => (sink.entered = resolve));
    const uid = makeBookingUid();
    const id = await book(uid);
    worker.start();
    await entered;
    sink.entered = null;
    await book(uid, { startTime: '2031-11-11T11:00:00Z', endTime: '2031-11-11T11:30:00Z' });
    sink.gate = null;
    release();
    await waitFor('the second version synced', async () => {
      const row = await rowOf(id);
      return row.state === 'synced' && row.synced_version === 2;
    });
    expect(sink.synced).toEqual([
      { appointmentId: id, version: 1 },
      { appointmentId: id, version: 2 },
    ]);
  });
  it('hands the sink the appointment in domain terms: its contract view, its version and every uid, current first', async () => {
    const first = makeBookingUid();
    const second = makeBookingUid();
    const id = await book(first);
    await intake.submit(incoming(calcomBody('BOOKING_RESCHEDULED', { uid: second, rescheduleUid: first, startTime: '2031-12-01T10:00:00Z', endTime: '2031-12-01T10:30:00Z' })));
    worker.start();
    await waitFor('the row synced', async () => (await rowOf(id)).state === 'synced');
    const task = sink.tasks.at(-1)!;
    expect(task.appointmentId).toBe(id);
    expect(task.appointment?.id).toBe(id);
    expect(task.appointment?.version).toBe(2);
    expect(task.appointment?.uids).toEqual([second, first]);
    expect(task.appointment?.view).toMatchObject({ id, calcom_booking_uid: second, previous_uids: [first], version: 2, start_time: '2031-12-01T10:00:00.000Z' });
    // The registered API sinks always show in the view, the way GET /api/appointments/:id shows them.
    expect(task.appointment?.view.sync.notion?.state).toBe('not_mirrored');
  });

  it('backfills: a sink switched on later gets every stored appointment, each once', async () => {
    const quiet = new Intake(opened.store, { sinks: [], log });
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const outcome = await quiet.submit(incoming(calcomBody('BOOKING_CREATED', { uid: makeBookingUid() })));
      if (outcome.status === 'processed') ids.push(outcome.appointmentId);
    }
    await quiet.idle();
    expect(await opened.store.db.selectFrom('sink_state').selectAll().where('sink', '=', SINK).execute()).toEqual([]);
    sink.backfill = true;
    worker.start();
    await waitFor('every stored appointment synced', async () => {
      const rows = await opened.store.db.selectFrom('sink_state').selectAll().where('sink', '=', SINK).execute();
      return rows.length === ids.length && rows.every((r) => r.state === 'synced');
    });
    expect(sink.synced.map((s) => s.appointmentId).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
  });
});
