// The minified-signature fallback: when only the compact re-serialisation of a body matches, that compact
// form is what the signature covers, so it is what gets stored and shown; the fallback is not attempted for
// bodies over 256 KiB.
import { describe, expect, it } from 'vitest';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import { signPayload } from '../../src/calcom/signature.js';
import { getJson, postRaw, signedHeaders } from '../support/http-client.js';
import { TEST_WEBHOOK_SECRET, useTestServer } from '../support/server.js';
import { storeCounts } from '../support/store-peek.js';
import { STORE_KINDS } from '../support/stores.js';

describe.each(STORE_KINDS)('minified-signature fallback (%s)', (kind) => {
  const server = useTestServer({ kind });

  it('a captured body re-sent with a duplicate key stores the signed (minified) bytes, not the attacker text', async () => {
    const body = buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid('minified-dup-key') });
    const compact = JSON.stringify(body);
    const title = (body.payload as { title: string }).title;
    const signedTitle = `"title":${JSON.stringify(title)}`;
    expect(compact.split(signedTitle).length).toBe(2);
    // Same meaning for JSON.parse (the last duplicate wins), different bytes.
    const tampered = compact.replace(signedTitle, `"title":"ATTACKER_TEXT_X",${signedTitle}`);
    expect(JSON.stringify(JSON.parse(tampered))).toBe(compact);

    const reply = await postRaw(server.url, '/webhooks/calcom', tampered, signedHeaders(tampered, { signature: signPayload(compact, TEST_WEBHOOK_SECRET) }));
    expect(reply.status).toBe(200);
    const event = await getJson(server, `/api/events/${reply.body.event_id}`);
    expect(event.status).toBe(200);
    expect(event.body.raw_body).toBe(compact);
    expect(JSON.stringify(event.body)).not.toContain('ATTACKER_TEXT_X');
  });

  it('a pretty-printed body over 256 KiB whose minified form is signed is refused with 401', async () => {
    const body = buildCalcomBody('BOOKING_CREATED', { uid: makeBookingUid('minified-too-big') });
    (body.payload as Record<string, unknown>).padding = Array.from({ length: 40_000 }, (_, i) => i % 10);
    const compact = JSON.stringify(body);
    const pretty = JSON.stringify(body, null, 2);
    expect(compact.length).toBeLessThan(256 * 1024);
    expect(pretty.length).toBeGreaterThan(300 * 1024);
    expect(pretty.length).toBeLessThan(1024 * 1024);
    const before = await storeCounts(server.app.store.db);
    const reply = await postRaw(server.url, '/webhooks/calcom', pretty, signedHeaders(pretty, { signature: signPayload(compact, TEST_WEBHOOK_SECRET) }));
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toBe('invalid_signature');
    expect(await storeCounts(server.app.store.db)).toEqual(before);

    // The same body signed over its exact bytes is fine: the cap concerns only the fallback.
    const exact = await postRaw(server.url, '/webhooks/calcom', pretty, signedHeaders(pretty));
    expect(exact.status).toBe(200);
  });
});
