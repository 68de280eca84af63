// Group commit on both stores (issue 14): events that arrive together share one transaction, without a
// savepoint each. When one of them fails, the batch rolls back and each event runs again in a transaction of
// its own, so the others are stored as usual and only the failing one answers with its error. The failure is
// a real one from the store (the event row's NOT NULL trigger), raised after the appointment was written.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { Intake } from '../../src/intake/intake.js';
import { incomingEvent, readDelivery } from '../../src/intake/incoming.js';
import type { IncomingEvent } from '../../src/intake/record-event.js';
import { openFreshStore, type OpenedTestStore } from '../support/open-store.js';
import { STORE_KINDS } from '../support/stores.js';

const SILENT = pino({ level: 'silent' });

function incoming(uid: string, hour: number): IncomingEvent {
  const start = new Date(Date.UTC(2032, 2, 3, hour, 0, 0));
  const body = buildCalcomBody('BOOKING_CREATED', {
    uid,
    startTime: start.toISOString(),
    endTime: new Date(start.getTime() + 30 * 60_000).toISOString(),
  });
  const rawBody = JSON.stringify(body);
  return incomingEvent(readDelivery(body), { source: 'webhook', rawBody, headers: {} });
}

describe.each(STORE_KINDS)('a batch of events with one failing (%s)', (kind) => {
  let t: OpenedTestStore;
  beforeAll(async () => {
    t = await openFreshStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('stores every other event of the batch, and only the failing one answers with an error', async () => {
    const intake = new Intake(t.store, { sinks: ['notion'], log: SILENT });
    const uids = [1, 2, 3, 4, 5].map((i) => makeBookingUid(`batch-${kind}-${i}`));
    const events = uids.map((uid, i) => incoming(uid, 8 + i));
    // The third breaks the event log's NOT NULL trigger, after its appointment was written.
    events[2] = { ...events[2]!, trigger: null as unknown as string };
    // Submitted in the same tick: they wait for the same commit.
    const settled = await Promise.allSettled(events.map((e) => intake.submit(e)));
    await intake.idle();

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    for (const s of settled) if (s.status === 'fulfilled') expect(s.value).toMatchObject({ status: 'processed', duplicate: false, action: 'created' });
    const stored = await t.store.db.selectFrom('appointments').select('calcom_booking_uid').orderBy('id').execute();
    expect(stored.map((r) => r.calcom_booking_uid).sort()).toEqual([uids[0], uids[1], uids[3], uids[4]].sort());
    const logged = await t.store.db.selectFrom('events').select(['booking_uid', 'appointment_id']).execute();
    expect(logged).toHaveLength(4);
    expect(logged.every((e) => e.appointment_id !== null)).toBe(true);
    const sinkRows = await t.store.db.selectFrom('sink_state').select('appointment_id').execute();
    expect(sinkRows).toHaveLength(4);
  });
});
