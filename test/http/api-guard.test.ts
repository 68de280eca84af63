// Issue 11, item 10: an unknown /api/... path asks for the key first, like a known one (a stranger learns
// nothing of the route map), and every JSON answer carries X-Content-Type-Options: nosniff and
// Cache-Control: no-store; pages with their own Cache-Control (admin) keep it.
import { describe, expect, it } from 'vitest';
import { TEST_API_KEY, useTestServer } from '../support/server.js';

describe('the /api guard and the headers of every answer', () => {
  const server = useTestServer({ kind: 'sqlite' });

  async function codeOf(res: Response): Promise<string | undefined> {
    return ((await res.json()) as { error?: { code?: string } }).error?.code;
  }

  it('an unknown /api path answers 401 without the key, 404 with it', async () => {
    for (const path of ['/api/nothing-here', '/api/appointments/1/nothing', '/api/', '/api/../api/x']) {
      const stranger = await fetch(server.url + path);
      expect(stranger.status, path).toBe(401);
      expect(await codeOf(stranger)).toBe('unauthorized');
      const wrong = await fetch(server.url + path, { headers: { authorization: 'Bearer not-the-key-at-all-0000' } });
      expect(wrong.status, path).toBe(401);
      const keyed = await server.api(path);
      expect(keyed.status, path).toBe(404);
      expect(await codeOf(keyed)).toBe('not_found');
    }
    const post = await fetch(server.url + '/api/nothing-here', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(401);
  });

  it('paths outside /api still answer 404, and the webhook alias under /api still takes webhooks', async () => {
    const res = await fetch(server.url + '/nothing-here');
    expect(res.status).toBe(404);
    const alias = await fetch(server.url + '/api/cal/handle-cal-event', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(alias.status).toBe(401);
    expect(await codeOf(alias)).toBe('invalid_signature');
  });

  it('JSON answers, errors included, carry nosniff and no-store', async () => {
    const answers = [
      await fetch(server.url + '/healthz'),
      await fetch(server.url + '/readyz'),
      await fetch(server.url + '/api/appointments'),
      await server.api('/api/appointments?calcom_uid=none'),
      await server.api('/api/events'),
      await fetch(server.url + '/nothing-here'),
      await fetch(server.url + '/webhooks/calcom', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    ];
    for (const res of answers) {
      expect(res.headers.get('content-type'), res.url).toMatch(/^application\/json/);
      expect(res.headers.get('x-content-type-options'), res.url).toBe('nosniff');
      expect(res.headers.get('cache-control'), res.url).toBe('no-store');
      await res.arrayBuffer();
    }
  });

  it('the admin pages keep sane headers of their own', async () => {
    const res = await fetch(server.url + '/admin/login');
    await res.arrayBuffer();
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    // Exactly one value each: the hook does not add a second.
    expect(res.headers.get('cache-control')).not.toContain(',');
  });

  it('the key itself is still required on a known route', async () => {
    expect((await fetch(server.url + '/api/events')).status).toBe(401);
    expect((await fetch(server.url + '/api/events', { headers: { authorization: `Bearer ${TEST_API_KEY}` } })).status).toBe(200);
  });
});
