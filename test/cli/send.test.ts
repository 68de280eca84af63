// `calsync send` against a real server: for every trigger the samples know, the signed body it builds is
// accepted (2xx), and a file goes out byte for byte. Runs main() in-process.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeBookingUid, SAMPLE_TRIGGERS } from '../../src/calcom/samples.js';
import { storeCounts } from '../support/store-peek.js';
import { TEST_API_KEY, TEST_WEBHOOK_SECRET, useTestServer } from '../support/server.js';
import { tempDir } from '../support/stores.js';
import { runCli } from './capture.js';

const server = useTestServer({ kind: 'sqlite' });

const send = (args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) =>
  runCli(['send', ...args, '--url', server.url], { env: { CAL_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, ...opts.env }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });

async function eventOf(uid: string) {
  return server.app.store.db.selectFrom('events').selectAll().where('booking_uid', '=', uid).orderBy('id', 'desc').executeTakeFirst();
}

describe('calsync send', () => {
  const booked = makeBookingUid('cli-send:booked');

  beforeAll(async () => {
    const run = await send(['BOOKING_CREATED', '--uid', booked, '--metadata', 'crm_id=crm-7', '--metadata', 'team=blue']);
    expect(run.code, run.out + run.err).toBe(0);
  });

  it('built a booking the server stored, with the metadata given', async () => {
    const res = await server.api(`/api/appointments?calcom_uid=${booked}`);
    const [appointment] = ((await res.json()) as any).appointments;
    expect(appointment).toMatchObject({ status: 'accepted', calcom_booking_uid: booked });
    expect(appointment.metadata).toMatchObject({ crm_id: 'crm-7', team: 'blue' });
  });

  it.each(SAMPLE_TRIGGERS.map((t) => [t]))('%s is accepted by the server', async (trigger) => {
    const before = (await storeCounts(server.app.store.db)).events;
    // A no-show update needs a booking calsync knows; every other sample describes its booking in full.
    const uid = trigger === 'BOOKING_NO_SHOW_UPDATED' ? booked : makeBookingUid(`cli-send:${trigger}`);
    const run = await send([trigger, '--uid', uid]);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain(`POST ${server.url}/webhooks/calcom`);
    expect(run.out).toMatch(/HTTP 200/);
    const answer = JSON.parse(run.out.slice(run.out.indexOf('{')));
    expect(['processed', 'skipped']).toContain(answer.status);
    expect(answer.duplicate).toBeUndefined();
    expect((await storeCounts(server.app.store.db)).events).toBe(before + 1);
    if (answer.status === 'processed') expect((await eventOf(uid))?.trigger).toBe(trigger);
  });

  it('links a reschedule to the booking named by --reschedule-uid', async () => {
    const moved = makeBookingUid('cli-send:moved');
    const run = await send(['BOOKING_RESCHEDULED', '--uid', moved, '--reschedule-uid', booked, '--start', '2031-09-09T10:00:00Z']);
    expect(run.code, run.out).toBe(0);
    const [appointment] = ((await (await server.api(`/api/appointments?calcom_uid=${moved}`)).json()) as any).appointments;
    expect(appointment).toMatchObject({ calcom_booking_uid: moved, start_time: '2031-09-09T10:00:00.000Z' });
    expect(appointment.previous_uids).toContain(booked);
  });

  it('sends a file byte for byte (pretty-printed JSON verifies over its exact bytes)', async () => {
    const file = path.join(import.meta.dirname, '../fixtures/calcom/booking_requested.json');
    expect(fs.readFileSync(file, 'utf8')).toContain('\n  ');
    const run = await send(['--file', file]);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain('sent as is');
    expect(run.out).toContain('HTTP 200');
  });

  it('takes the secret from .env in the working directory', async () => {
    const cwd = tempDir('calsync-cli-env-');
    fs.writeFileSync(path.join(cwd, '.env'), `# local settings\nCAL_WEBHOOK_SECRET="${TEST_WEBHOOK_SECRET},whsec_older_one"\n`);
    const run = await runCli(['send', 'PING', '--url', server.url], { cwd });
    expect(run.code, run.out + run.err).toBe(0);
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('reports the refusal of a wrong secret with exit 1', async () => {
    const run = await runCli(['send', 'BOOKING_CREATED', '--url', server.url, '--secret', 'whsec_not_the_right_one']);
    expect(run.code).toBe(1);
    expect(run.out).toContain('HTTP 401');
    expect(run.out).toContain('invalid_signature');
  });

  it('says so when no secret is known, and when the server cannot be reached', async () => {
    const noSecret = await runCli(['send', 'PING', '--url', server.url], { env: { DATA_DIR: tempDir() } });
    expect(noSecret.code).toBe(1);
    expect(noSecret.err).toContain('no webhook secret');
    const unreachable = await runCli(['send', 'PING', '--url', 'http://127.0.0.1:9', '--secret', TEST_WEBHOOK_SECRET]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.err).toContain('cannot reach http://127.0.0.1:9/webhooks/calcom');
  });
});

describe('calsync send: times come from the server, not made up', () => {
  const withKey = (args: string[]) => send(args, { env: { INTERNAL_API_KEY: TEST_API_KEY } });
  const appointmentOf = async (uid: string) =>
    ((await (await server.api(`/api/appointments?calcom_uid=${uid}`)).json()) as any).appointments[0] as { start_time: string; end_time: string; status: string };

  it('a cancellation of a known booking (--uid) keeps its times', async () => {
    const uid = makeBookingUid('cli-send:keeps-times');
    expect((await withKey(['BOOKING_CREATED', '--uid', uid, '--start', '2027-03-01T10:00:00Z'])).code).toBe(0);
    const run = await withKey(['BOOKING_CANCELLED', '--uid', uid]);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain('times of the booking on the server');
    expect(await appointmentOf(uid)).toMatchObject({ status: 'cancelled', start_time: '2027-03-01T10:00:00.000Z', end_time: '2027-03-01T10:30:00.000Z' });
  });

  it('repeated sends without arguments book distinct, non-overlapping slots', async () => {
    const uids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const run = await withKey(['BOOKING_CREATED']);
      expect(run.code, run.out + run.err).toBe(0);
      uids.push(/uid=(\S+)/.exec(run.out)![1]!);
    }
    const slots = await Promise.all(uids.map(appointmentOf));
    const sorted = slots.map((s) => [Date.parse(s.start_time), Date.parse(s.end_time)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i += 1) expect(sorted[i]![0]).toBeGreaterThanOrEqual(sorted[i - 1]![1]);
    expect(sorted[0]![0]).toBeGreaterThan(Date.now());
  });
});
