// The real log lines the server writes: one line per webhook with trigger, uid, result and duration; no
// secret, signature or key anywhere; emails and phone numbers masked unless LOG_PERSONAL_DATA=true.
import { afterEach, describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { signPayload } from '../../src/calcom/signature.js';
import { TEST_API_KEY, TEST_WEBHOOK_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { STORE_KINDS } from '../support/stores.js';
import { startNotionWorkspace, type NotionWorkspace } from '../sinks/support/notion.js';
import { adminLogin, waitFor } from './helpers.js';

const ATTENDEE_EMAIL = 'robin.private@example.org';
const ATTENDEE_PHONE = '+44 20 7946 0958';
/** Shaped like a Notion integration token: masked by its shape wherever it appears. */
const NOTION_SHAPED_TOKEN = 'ntn_000000000000000000000000000000000000000000000a';

function linesText(server: TestServer): string {
  return server.logs.map((l) => JSON.stringify(l)).join('\n');
}

describe.each(STORE_KINDS)('log output (%s)', (kind) => {
  let server: TestServer | null = null;
  let notion: NotionWorkspace | null = null;

  afterEach(async () => {
    await server?.close();
    await server?.location.cleanup();
    await notion?.close();
    server = null;
    notion = null;
  });

  async function trafficWithSecrets(s: TestServer): Promise<{ uid: string; signature: string }> {
    const uid = makeBookingUid(`logs-${kind}`);
    const body = buildCalcomBody('BOOKING_CREATED', { uid, attendee: { email: ATTENDEE_EMAIL, phoneNumber: ATTENDEE_PHONE } });
    const raw = JSON.stringify(body);
    const signature = signPayload(raw, TEST_WEBHOOK_SECRET);
    expect((await s.sendWebhook(body, { raw })).status).toBe(200);
    expect((await s.sendWebhook(body, { raw, secret: 'whsec_not_the_right_one' })).status).toBe(401);
    expect((await s.sendWebhook({ triggerEvent: 'BOOKING_CREATED', payload: { uid, attendees: [{ email: ATTENDEE_EMAIL }] } })).status).toBe(422);
    expect((await s.api(`/api/appointments?calcom_uid=${uid}`)).status).toBe(200);
    expect((await adminLogin(s, 'a-wrong-key-of-some-length')).response.status).toBe(401);
    expect((await adminLogin(s)).response.status).toBe(303);
    return { uid, signature };
  }

  it('writes one line per webhook with trigger, uid, result and duration', async () => {
    server = await startTestServer({ kind });
    const { uid } = await trafficWithSecrets(server);
    const lines = await waitFor('three webhook lines', () => {
      const found = server!.logs.filter((l) => l.msg === 'webhook');
      return found.length === 3 ? found : undefined;
    });
    expect(lines[0]).toMatchObject({ trigger: 'BOOKING_CREATED', uid, result: 'processed', duplicate: false });
    expect(lines[0]?.duration_ms).toBeTypeOf('number');
    // The bad signature is refused before anything is parsed: its line says why, and nothing of the body.
    expect(lines[1]).toMatchObject({ result: 'rejected', code: 'invalid_signature', reason: 'mismatch' });
    expect(lines[1]).not.toHaveProperty('trigger');
    expect(lines[1]).not.toHaveProperty('uid');
    expect(lines[1]?.duration_ms).toBeTypeOf('number');
    expect(lines[2]).toMatchObject({ trigger: 'BOOKING_CREATED', uid, result: 'rejected', code: 'validation_error' });
  });

  it('never shows secrets, signatures, the internal key or personal data by default', async () => {
    // A configured Notion token (the emulator's) is masked as a value, whatever its shape.
    notion = await startNotionWorkspace();
    const notionToken = notion.emulator.token;
    server = await startTestServer({ kind, env: notion.env() });
    const { signature } = await trafficWithSecrets(server);
    // What careless code might log: each value in a place pino's key paths do not cover.
    server.app.log.info(
      {
        attendee: { email: ATTENDEE_EMAIL, phone: ATTENDEE_PHONE },
        note: `reach ${ATTENDEE_EMAIL} or ${ATTENDEE_PHONE}`,
        request: { headers: { authorization: `Bearer ${TEST_API_KEY}`, 'x-cal-signature-256': signature } },
        detail: `configured with ${TEST_WEBHOOK_SECRET} and ${notionToken}, not ${NOTION_SHAPED_TOKEN}`,
      },
      'probe',
    );
    server.app.log.error({ err: new Error(`Notion refused token ${NOTION_SHAPED_TOKEN} for ${ATTENDEE_EMAIL}`) }, 'sync failed');
    const text = linesText(server);
    for (const secret of [TEST_WEBHOOK_SECRET, TEST_API_KEY, signature, notionToken, NOTION_SHAPED_TOKEN, ATTENDEE_EMAIL, ATTENDEE_PHONE, '7946 0958']) {
      expect(text, `log output contains ${secret}`).not.toContain(secret);
    }
    const probe = server.logs.find((l) => l.msg === 'probe') as Record<string, any>;
    expect(probe.attendee.email).toBe('[redacted]');
    expect(probe.note).toBe('reach [email] or [phone]');
    expect(probe.request.headers.authorization).toBe('[redacted]');
    expect(probe.detail).toBe('configured with [redacted] and [redacted], not [redacted]');
    const failure = server.logs.find((l) => l.msg === 'sync failed') as Record<string, any>;
    expect(failure.err.message).toBe('Notion refused token [redacted] for [email]');
  });

  it('masks a generated internal key too', async () => {
    server = await startTestServer({ kind, env: { INTERNAL_API_KEY: '' } });
    const generated = server.app.secrets.internalApiKey;
    expect(generated).not.toBe(TEST_API_KEY);
    server.app.log.warn({ hint: `the key is ${generated}`, key: generated }, 'probe');
    expect(linesText(server)).not.toContain(generated);
  });

  it('shows emails and phone numbers with LOG_PERSONAL_DATA=true, and still no secrets', async () => {
    server = await startTestServer({ kind, env: { LOG_PERSONAL_DATA: 'true' } });
    const { signature } = await trafficWithSecrets(server);
    server.app.log.info({ attendee: { email: ATTENDEE_EMAIL, phone: ATTENDEE_PHONE }, auth: `Bearer ${TEST_API_KEY}` }, 'probe');
    const probe = server.logs.find((l) => l.msg === 'probe') as Record<string, any>;
    expect(probe.attendee).toEqual({ email: ATTENDEE_EMAIL, phone: ATTENDEE_PHONE });
    const text = linesText(server);
    for (const secret of [TEST_WEBHOOK_SECRET, TEST_API_KEY, signature]) expect(text).not.toContain(secret);
  });
});
