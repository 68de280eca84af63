// A log line names each field once: the sink's lines used to carry "sink":"notion" twice (a child logger
// bound to the sink, and the worker adding it again), which JSON.parse hides and log tools do not.
import { afterAll, describe, expect, it } from 'vitest';
import { makeBookingUid } from '../../src/calcom/samples.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { calcomBody, startNotionWorkspace, waitFor, type NotionWorkspace } from '../sinks/support/notion.js';

describe.each(STORE_KINDS)('sink log lines (%s)', (kind) => {
  let server: TestServer | undefined;
  let notion: NotionWorkspace | undefined;
  afterAll(async () => {
    await server?.close();
    await server?.location.cleanup();
    await notion?.close();
  });

  it('carry "sink" once each', async () => {
    notion = await startNotionWorkspace();
    server = await startTestServer({ kind, env: { ...notion.env(), LOG_LEVEL: 'debug' } });
    const uid = makeBookingUid(`log-fields-${kind}`);
    expect((await server.sendWebhook(calcomBody('BOOKING_CREATED', { uid }))).status).toBe(200);
    await waitFor('the page', () => notion!.sessionsWithUid(uid)[0]);
    await server.close();
    const sinkLines = server.rawLogs.filter((l) => l.includes('"sink":'));
    expect(sinkLines.length).toBeGreaterThan(0);
    expect(sinkLines.some((l) => l.includes('"sink":"notion"'))).toBe(true);
    for (const line of sinkLines) expect(line.split('"sink":').length - 1, line).toBe(1);
  });
});
