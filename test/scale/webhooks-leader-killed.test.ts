// Three calsync processes (the built server) on one PostgreSQL schema deliver outbound webhooks to one
// real receiver. Midway through the traffic the instance holding the delivery lock is killed with SIGKILL
// (with attempts in flight: the receiver answers slowly). Then:
//   - the lock moves to a survivor, and every appointment's latest version reaches the receiver (none lost);
//   - no webhook-id ever came with two different bodies (a crash may repeat a message, always as it was);
//   - per appointment, versions never went backwards.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { waitFor } from '../sinks/support/notion.js';
import { startReceiver, type Receiver } from '../sinks/webhooks/receiver.js';
import { postRaw, signedHeaders } from '../support/http-client.js';
import { freshPostgresUrl, PG_AVAILABLE } from '../support/stores.js';
import { startFleet, stopFleet, type Instance } from './support/fleet.js';

const INSTANCES = 3;
const BOOKINGS = 40;
const KILL_AFTER_SENDS = 30;
const SECRET = 'whsec_webhooks_leader_killed_secret';
const API_KEY = 'csk_webhooks_leader_killed_api_key';
const RECEIVER_DELAY_MS = 30;
const TEST_TIMEOUT_MS = 100_000;

async function deliveryLockHolders(admin: pg.Client): Promise<string[]> {
  const { rows } = await admin.query<{ name: string }>(
    `select a.application_name as name
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
        and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(current_schema() || ':calsync-sink:webhook-delivery', 0)`,
  );
  return rows.map((r) => r.name);
}

describe.skipIf(!PG_AVAILABLE)('outbound webhooks with several instances on one PostgreSQL', () => {
  let schema: Awaited<ReturnType<typeof freshPostgresUrl>> | undefined;
  let admin: pg.Client | undefined;
  let fleet: Instance[] = [];
  let rx: Receiver | undefined;

  afterAll(async () => {
    await stopFleet(fleet);
    await admin?.end();
    await schema?.drop();
    await rx?.close();
  });

  it(`${INSTANCES} instances, the delivery leader SIGKILLed midway: none lost, no webhook-id with two bodies`, { timeout: TEST_TIMEOUT_MS }, async () => {
    rx = await startReceiver();
    const receiver = rx;
    // Slow answers, so that attempts are in flight when the leader dies.
    receiver.behave({ kind: 'ok', delayMs: RECEIVER_DELAY_MS });
    schema = await freshPostgresUrl();
    admin = new pg.Client({ connectionString: schema.url });
    await admin.connect();
    fleet = await startFleet(INSTANCES, { CAL_WEBHOOK_SECRET: SECRET, INTERNAL_API_KEY: API_KEY, LOG_LEVEL: 'warn', OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'true' }, schema.url);
    const created = await fetch(`${fleet[0]!.server.url}/api/webhook-endpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url }),
    });
    expect(created.status).toBe(201);
    const leader = await waitFor('one delivery leader', async () => {
      const holders = await deliveryLockHolders(admin!);
      return holders.length === 1 ? holders[0] : undefined;
    });

    const uids = Array.from({ length: BOOKINGS }, (_, i) => makeBookingUid(`webhooks-fleet:${i}:${Date.now()}`));
    const plan = [...uids.map((uid) => ({ trigger: 'BOOKING_CREATED' as const, uid })), ...uids.filter((_, i) => i % 2 === 0).map((uid) => ({ trigger: 'BOOKING_CANCELLED' as const, uid }))];
    let sends = 0;
    let killedName: string | null = null;
    for (const step of plan) {
      if (sends === KILL_AFTER_SENDS) {
        const victim = fleet.find((i) => i.name === leader);
        if (!victim) throw new Error(`no instance named ${leader}`);
        // The victim was really delivering: it dies with work done and (slow answers) attempts in flight.
        await waitFor('deliveries by the first leader', () => receiver.requests.length > 0);
        victim.alive = false;
        killedName = victim.name;
        await victim.server.kill('SIGKILL');
      }
      const alive = fleet.filter((i) => i.alive);
      const target = alive[sends % alive.length] as Instance;
      const raw = JSON.stringify(buildCalcomBody(step.trigger, { uid: step.uid }));
      const reply = await postRaw(target.server.url, '/webhooks/calcom', raw, signedHeaders(raw, { secret: SECRET }));
      expect(reply.status).toBe(200);
      sends += 1;
    }
    const newLeader = await waitFor('a survivor holding the delivery lock', async () => {
      const holders = await deliveryLockHolders(admin!);
      return holders.length === 1 && holders[0] !== killedName ? holders[0] : undefined;
    }, { timeoutMs: 20_000 });
    expect(newLeader).not.toBe(killedName);

    const { rows } = await admin.query<{ id: number; version: number }>('select id, version from appointments where merged_into is null');
    expect(rows).toHaveLength(BOOKINGS);
    await waitFor(
      'every appointment\'s latest version delivered',
      () => rows.every((row) => receiver.delivered().some((r) => r.appointmentId === Number(row.id) && r.version === Number(row.version))),
      { timeoutMs: 40_000, intervalMs: 100 },
    );

    const bodies = new Map<string, string>();
    for (const r of receiver.requests) {
      const seen = bodies.get(r.id);
      if (seen !== undefined) expect(r.body).toBe(seen);
      bodies.set(r.id, r.body);
    }
    const byAppointment = new Map<number, number[]>();
    for (const r of receiver.requests) byAppointment.set(r.appointmentId, [...(byAppointment.get(r.appointmentId) ?? []), r.version]);
    for (const [id, versions] of byAppointment) expect({ id, versions }).toEqual({ id, versions: [...versions].sort((a, b) => a - b) });
  });
});
