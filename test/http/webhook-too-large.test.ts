// A body over 1 MiB is refused before the webhook handler runs (413 payload_too_large); it is still a refused
// delivery, so it is counted in calsync_webhooks_rejected_total like every other 4xx.
import { describe, expect, it } from 'vitest';
import { signPayload } from '../../src/calcom/signature.js';
import { TEST_WEBHOOK_SECRET, useTestServer } from '../support/server.js';

const MIB = 1024 * 1024;

function rejectedCount(metrics: string, code: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`calsync_webhooks_rejected_total{code="${code}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('a 413 on the webhook route', () => {
  const server = useTestServer({ kind: 'sqlite' });

  it('is counted in calsync_webhooks_rejected_total{code="payload_too_large"}', async () => {
    const before = rejectedCount(await (await fetch(`${server.url}/metrics`)).text(), 'payload_too_large');
    const raw = JSON.stringify({ triggerEvent: 'BOOKING_CREATED', payload: { notes: 'x'.repeat(MIB + 10) } });
    for (const path of ['/webhooks/calcom', '/api/cal/handle-cal-event']) {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-cal-signature-256': signPayload(raw, TEST_WEBHOOK_SECRET) },
        body: raw,
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    }
    const after = rejectedCount(await (await fetch(`${server.url}/metrics`)).text(), 'payload_too_large');
    expect(after - before).toBe(2);
  });
});
