// `calsync calcom register` against the Cal.com emulator: creates the subscription once, reuses it after,
// signs with the secret the server verifies with, and the subscription really delivers to calsync.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CALSYNC_WEBHOOK_TRIGGERS } from '../../src/calcom/api/register-webhook.js';
import { startCalcomEmulator, type CalcomEmulator } from '../emulators/calcom/index.js';
import { TEST_WEBHOOK_SECRET, useTestServer } from '../support/server.js';
import { tempDir } from '../support/stores.js';
import { runCli } from './capture.js';

let calcom: CalcomEmulator;
beforeAll(async () => {
  calcom = await startCalcomEmulator();
});
afterAll(async () => {
  await calcom?.close();
});
afterEach(() => calcom.reset());

const calcomEnv = () => ({ CALCOM_API_KEY: calcom.apiKey, CALCOM_API_URL: calcom.url });

describe('calsync calcom register', () => {
  it('creates one subscription with the handled triggers, and running it again creates nothing', async () => {
    const env = { ...calcomEnv(), CAL_WEBHOOK_SECRET: 'whsec_the_server_secret' };
    const first = await runCli(['calcom', 'register', '--url', 'https://calsync.example.com'], { env });
    expect(first.code, first.out + first.err).toBe(0);
    expect(first.out).toContain('Created webhook');
    expect(first.out).toContain('CAL_WEBHOOK_SECRET=whsec_the_server_secret');
    expect(first.out).toContain('already verifies with this secret');

    const second = await runCli(['calcom', 'register', '--url', 'https://calsync.example.com/'], { env });
    expect(second.code, second.out + second.err).toBe(0);
    expect(second.out).toContain('nothing changed');

    expect(calcom.webhooks).toHaveLength(1);
    const [hook] = calcom.webhooks;
    expect(hook).toMatchObject({ subscriberUrl: 'https://calsync.example.com/webhooks/calcom', active: true, secret: 'whsec_the_server_secret', version: '2021-10-20' });
    expect([...hook!.triggers].sort()).toEqual([...CALSYNC_WEBHOOK_TRIGGERS].sort());
    expect(hook!.triggers).toEqual(expect.arrayContaining(['BOOKING_CREATED', 'BOOKING_CANCELLED', 'BOOKING_RESCHEDULED', 'MEETING_ENDED']));
    expect(hook!.triggers).not.toContain('PING');
    expect(hook!.triggers).not.toContain('BOOKING_CONFIRMED');
    expect(calcom.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('repairs a reused subscription: missing triggers, inactive, other secret', async () => {
    const created = await fetch(`${calcom.url}/v2/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${calcom.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subscriberUrl: 'https://calsync.example.com/webhooks/calcom', active: false, triggers: ['BOOKING_CREATED', 'OOO_CREATED'], secret: 'whsec_old_secret' }),
    });
    expect(created.status).toBe(201);
    const run = await runCli(['calcom', 'register', '--url', 'https://calsync.example.com'], { env: { ...calcomEnv(), CAL_WEBHOOK_SECRET: 'whsec_the_server_secret' } });
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain('updated: triggers, active, secret');
    expect(calcom.webhooks).toHaveLength(1);
    const [hook] = calcom.webhooks;
    expect(hook).toMatchObject({ active: true, secret: 'whsec_the_server_secret' });
    expect(hook!.triggers).toEqual(expect.arrayContaining([...CALSYNC_WEBHOOK_TRIGGERS, 'OOO_CREATED']));
  });

  it('without a known secret generates one and writes it into .env with --write-env; the next run reuses it', async () => {
    const cwd = tempDir('calsync-cli-register-');
    fs.writeFileSync(path.join(cwd, '.env'), `# mine\nPORT=3100\n`);
    const env = { ...calcomEnv(), DATA_DIR: path.join(cwd, 'data') };
    const first = await runCli(['calcom', 'register', '--url', 'https://calsync.example.com', '--write-env'], { env, cwd });
    expect(first.code, first.out + first.err).toBe(0);
    const secret = /CAL_WEBHOOK_SECRET=(whsec_\S+)/.exec(first.out)?.[1];
    expect(secret).toBeDefined();
    expect(calcom.webhooks[0]?.secret).toBe(secret);
    expect(fs.readFileSync(path.join(cwd, '.env'), 'utf8')).toBe(`# mine\nPORT=3100\nCAL_WEBHOOK_SECRET=${secret}\n`);

    const second = await runCli(['calcom', 'register', '--url', 'https://calsync.example.com'], { env, cwd });
    expect(second.code).toBe(0);
    expect(second.out).toContain('nothing changed');
    expect(second.out).toContain(`CAL_WEBHOOK_SECRET=${secret}`);
    expect(calcom.webhooks).toHaveLength(1);
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('fails clearly without CALCOM_API_KEY, and with a key Cal.com refuses', async () => {
    const none = await runCli(['calcom', 'register', '--url', 'https://calsync.example.com']);
    expect(none.code).toBe(1);
    expect(none.err).toContain('CALCOM_API_KEY is not set');
    const wrong = await runCli(['calcom', 'register', '--url', 'https://calsync.example.com'], { env: { CALCOM_API_KEY: 'cal_wrong', CALCOM_API_URL: calcom.url } });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('Cal.com refused the API key');
    expect(calcom.webhooks).toHaveLength(0);
  });

  describe('with a real server', () => {
    const server = useTestServer({ kind: 'sqlite', env: { RECONCILE_INTERVAL_MINUTES: '0' } });

    it('subscribes the server so that Cal.com bookings arrive, signed with its secret', async () => {
      const run = await runCli(['calcom', 'register', '--url', server.url], { env: { ...calcomEnv(), CAL_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET } });
      expect(run.code, run.out + run.err).toBe(0);
      const booking = calcom.createBookingDirect({
        eventTypeId: 1201,
        start: '2031-10-01T09:00:00Z',
        attendee: { name: 'Mary Jackson', email: 'mary@example.com', timeZone: 'America/New_York' },
      });
      await calcom.flushDeliveries();
      expect(calcom.deliveries.map((d) => [d.trigger, d.status])).toEqual([['BOOKING_CREATED', 200]]);
      const listed = (await (await server.api(`/api/appointments?calcom_uid=${booking.uid}`)).json()) as any;
      expect(listed.appointments).toHaveLength(1);
    });
  });
});
