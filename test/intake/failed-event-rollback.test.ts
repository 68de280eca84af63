// An event that fails halfway through intake leaves nothing behind, and the next event is stored as usual.
// On the embedded store a lone event runs in a batch of one, without a savepoint (issue 14): its failure must
// roll the whole transaction back, not commit what it wrote before failing. The failure is a real one from
// the store (a NOT NULL column), raised after the appointment, its uids and the event row were written.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { Intake } from '../../src/intake/intake.js';
import { incomingEvent, readDelivery } from '../../src/intake/incoming.js';
import { openFreshStore, type OpenedTestStore } from '../support/open-store.js';
import { STORE_KINDS } from '../support/stores.js';

const SILENT = pino({ level: 'silent' });

function incoming(uid: string) {
  const body = buildCalcomBody('BOOKING_CREATED', { uid, startTime: '2032-02-02T10:00:00.000Z', endTime: '2032-02-02T10:30:00.000Z' });
  const rawBody = JSON.stringify(body);
  return incomingEvent(readDelivery(body), { source: 'webhook', rawBody, headers: {} });
}

async function counts(t: OpenedTestStore): Promise<{ events: number; appointments: number; uids: number }> {
  const count = async (table: 'events' | 'appointments' | 'appointment_uids') =>
    Number((await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { events: await count('events'), appointments: await count('appointments'), uids: await count('appointment_uids') };
}

describe.each(STORE_KINDS)('an event failing inside intake (%s)', (kind) => {
  let t: OpenedTestStore;
  beforeAll(async () => {
    t = await openFreshStore(kind);
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('rolls back everything it wrote, answers with the error, and the next event is stored', async () => {
    // A sink without a name: its sink_state row breaks NOT NULL after every other write of the event.
    const broken = new Intake(t.store, { sinks: ['notion', null as unknown as string], log: SILENT });
    await expect(broken.submit(incoming(makeBookingUid(`rollback-${kind}-1`)))).rejects.toThrow();
    await broken.idle();
    expect(await counts(t)).toEqual({ events: 0, appointments: 0, uids: 0 });

    const healthy = new Intake(t.store, { sinks: ['notion'], log: SILENT });
    const outcome = await healthy.submit(incoming(makeBookingUid(`rollback-${kind}-2`)));
    expect(outcome).toMatchObject({ status: 'processed', duplicate: false, action: 'created' });
    await healthy.idle();
    expect(await counts(t)).toEqual({ events: 1, appointments: 1, uids: 1 });
  });
});
