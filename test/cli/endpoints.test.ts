// `calsync endpoints add | list | remove | resend --since | enable | disable` drives the running server's
// /api/webhook-endpoints; resend makes new messages (new webhook-ids) of type appointment.updated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_API_KEY, type TestServer } from '../support/server.js';
import { bookingUid, send, startWebhookServer } from '../sinks/webhooks/harness.js';
import { startReceiver, until, type Receiver } from '../sinks/webhooks/receiver.js';
import { runCli } from './capture.js';

let server: TestServer;
let rx: Receiver;
beforeAll(async () => {
  server = await startWebhookServer({ kind: 'sqlite' });
  rx = await startReceiver();
});
afterAll(async () => {
  await server?.close();
  await server?.location.cleanup();
  await rx?.close();
});

const answerOf = (out: string) => JSON.parse(out.slice(out.indexOf('{'))) as Record<string, any>;

describe('calsync endpoints', () => {
  it('adds, lists, resends, disables, enables and removes an endpoint', async () => {
    const common = ['--url', server.url, '--key', TEST_API_KEY];
    const added = await runCli(['endpoints', 'add', rx.url, '--description', 'CRM', ...common]);
    expect(added.code, added.out + added.err).toBe(0);
    expect(added.out).toContain('HTTP 201');
    const endpoint = answerOf(added.out);
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(endpoint.description).toBe('CRM');

    const listed = await runCli(['endpoints', 'list', ...common]);
    expect(listed.code).toBe(0);
    expect(answerOf(listed.out).endpoints.map((e: { id: string }) => e.id)).toContain(endpoint.id);

    const since = new Date().toISOString();
    const id = await send(server, 'BOOKING_CREATED', { uid: bookingUid('cli') });
    const first = await until('the first message', () => rx.delivered().find((r) => r.appointmentId === id));
    expect(first.type).toBe('appointment.created');

    const resent = await runCli(['endpoints', 'resend', endpoint.id, '--since', since, ...common]);
    expect(resent.code, resent.out).toBe(0);
    expect(resent.out).toContain('HTTP 202');
    const again = await until('the resent message', () => rx.delivered().find((r) => r.appointmentId === id && r.id !== first.id));
    expect(again.type).toBe('appointment.updated');
    expect(again.version).toBe(first.version);

    const disabled = await runCli(['endpoints', 'disable', endpoint.id, ...common]);
    expect(answerOf(disabled.out)).toMatchObject({ enabled: false });
    const enabled = await runCli(['endpoints', 'enable', endpoint.id, ...common]);
    expect(answerOf(enabled.out)).toMatchObject({ enabled: true });

    const removed = await runCli(['endpoints', 'remove', endpoint.id, ...common]);
    expect(removed.code).toBe(0);
    expect(removed.out).toContain('HTTP 204');
    const gone = await runCli(['endpoints', 'remove', endpoint.id, ...common]);
    expect(gone.code).toBe(1);
    expect(gone.out).toContain('endpoint_not_found');
  });

  it.each([
    [['endpoints'], 'Usage: calsync endpoints'],
    [['endpoints', 'add'], 'expected one endpoint URL'],
    [['endpoints', 'remove', 'nope'], 'ID must look like ep_'],
    [['endpoints', 'resend', 'ep_abc'], '--since DATE is required'],
    [['endpoints', 'resend', 'ep_abc', '--since', 'last week'], '--since must be an ISO 8601 date'],
    [['endpoints', 'frobnicate'], 'unknown command "endpoints frobnicate"'],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  });

  it('a bad URL is refused by the server with 422', async () => {
    const run = await runCli(['endpoints', 'add', 'ftp://example.com/x', '--url', server.url, '--key', TEST_API_KEY]);
    expect(run.code).toBe(1);
    expect(run.out).toContain('HTTP 422');
    expect(run.out).toContain('validation_error');
  });
});
