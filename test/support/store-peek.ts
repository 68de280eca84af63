// Read-only looks into a running server's store, for tests that must prove that nothing was written.
import type { Db } from '../../src/store/store.js';

export interface StoreCounts {
  events: number;
  appointments: number;
  appointmentUids: number;
  rejectedDeliveries: number;
}

async function countOf(db: Db, table: 'events' | 'appointments' | 'appointment_uids' | 'rejected_deliveries'): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function storeCounts(db: Db): Promise<StoreCounts> {
  return {
    events: await countOf(db, 'events'),
    appointments: await countOf(db, 'appointments'),
    appointmentUids: await countOf(db, 'appointment_uids'),
    rejectedDeliveries: await countOf(db, 'rejected_deliveries'),
  };
}

export async function eventRowsForUid(db: Db, uid: string) {
  return db.selectFrom('events').selectAll().where('booking_uid', '=', uid).orderBy('id').execute();
}

export async function rejectedDeliveriesSince(db: Db, afterId: number) {
  return db.selectFrom('rejected_deliveries').selectAll().where('id', '>', afterId).orderBy('id').execute();
}

export async function lastRejectedDeliveryId(db: Db): Promise<number> {
  const row = await db.selectFrom('rejected_deliveries').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.id ?? 0;
}
