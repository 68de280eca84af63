// `calsync replay EVENT_ID` goes through the running server's POST /api/events/:id/replay.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { TEST_API_KEY, useTestServer } from '../support/server.js';
import { tempDir } from '../support/stores.js';
import { runCli } from './capture.js';

const server = useTestServer({ kind: 'sqlite' });

describe('calsync replay', () => {
  it('replays a stored event on the server and prints its answer', async () => {
    const uid = makeBookingUid('cli-replay');
    const delivered = (await (await server.sendWebhook(buildCalcomBody('BOOKING_CREATED', { uid }))).json()) as any;
    expect(delivered.status).toBe('processed');

    const run = await runCli(['replay', String(delivered.event_id), '--url', server.url, '--key', TEST_API_KEY]);
    expect(run.code, run.out + run.err).toBe(0);
    expect(run.out).toContain(`POST ${server.url}/api/events/${delivered.event_id}/replay`);
    expect(run.out).toContain('HTTP 200');
    const answer = JSON.parse(run.out.slice(run.out.indexOf('{')));
    expect(answer.replay_of).toBe(delivered.event_id);
    const replayed = await server.app.store.db.selectFrom('events').selectAll().where('replay_of', '=', delivered.event_id).execute();
    expect(replayed.map((e) => e.source)).toEqual(['replay']);
  });

  it('finds the key in .env, and fails with exit 1 on an unknown event', async () => {
    const cwd = tempDir('calsync-cli-replay-');
    fs.writeFileSync(path.join(cwd, '.env'), `INTERNAL_API_KEY=${TEST_API_KEY}\n`);
    const run = await runCli(['replay', '999999', '--url', server.url], { cwd });
    expect(run.code).toBe(1);
    expect(run.out).toContain('HTTP 404');
    expect(run.out).toContain('event_not_found');
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('says where to put a key when it has none', async () => {
    const run = await runCli(['replay', '1', '--url', server.url], { env: { DATA_DIR: tempDir() } });
    expect(run.code).toBe(1);
    expect(run.err).toContain('INTERNAL_API_KEY');
  });
});
