// Admin sessions live in the store: a session survives a restart, a logout holds across a restart, and on
// PostgreSQL a logout on one instance is refused on another sharing the schema.
import { afterEach, describe, expect, it } from 'vitest';
import { adminGet, adminLogin, adminPost, csrfTokenIn } from '../ops/helpers.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { freshStoreLocation, PG_AVAILABLE, STORE_KINDS, type StoreLocation } from '../support/stores.js';

const open: TestServer[] = [];
const locations: StoreLocation[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const l of locations.splice(0)) await l.cleanup();
});

async function start(location: StoreLocation): Promise<TestServer> {
  const server = await startTestServer({ location });
  open.push(server);
  return server;
}

async function stop(server: TestServer): Promise<void> {
  open.splice(open.indexOf(server), 1);
  await server.close();
}

/** 200 with the events page when the cookie is a live session; 303 to the login page otherwise. */
async function sessionIsLive(server: TestServer, cookie: string): Promise<boolean> {
  const { status } = await adminGet(server, '/admin/events', cookie);
  expect([200, 303]).toContain(status);
  return status === 200;
}

async function logout(server: TestServer, cookie: string): Promise<void> {
  const page = await adminGet(server, '/admin', cookie);
  const res = await adminPost(server, '/admin/logout', cookie, { csrf: csrfTokenIn(page.html) });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/admin?notice=logged_out');
}

describe.each(STORE_KINDS)('admin sessions in the store (%s)', (kind) => {
  it('a session survives a restart; after a logout and a restart the cookie is refused', async () => {
    const location = await freshStoreLocation(kind);
    locations.push(location);
    let server = await start(location);
    const { cookie } = await adminLogin(server);
    expect(cookie).toMatch(/^calsync_admin=/);
    expect(await sessionIsLive(server, cookie)).toBe(true);

    await stop(server);
    server = await start(location);
    expect(await sessionIsLive(server, cookie)).toBe(true);

    await logout(server, cookie);
    expect(await sessionIsLive(server, cookie)).toBe(false);
    await stop(server);
    server = await start(location);
    expect(await sessionIsLive(server, cookie)).toBe(false);
  });
});

describe.runIf(PG_AVAILABLE)('admin sessions across instances (postgres)', () => {
  it('a session from one instance works on another, and a logout on one is refused on the other', async () => {
    const location = await freshStoreLocation('postgres');
    locations.push(location);
    const a = await start(location);
    const b = await start(location);
    const { cookie } = await adminLogin(a);
    const other = await adminLogin(b);
    expect(await sessionIsLive(b, cookie)).toBe(true);
    await logout(a, cookie);
    expect(await sessionIsLive(a, cookie)).toBe(false);
    expect(await sessionIsLive(b, cookie)).toBe(false);
    // Only that session ended.
    expect(await sessionIsLive(a, other.cookie)).toBe(true);
  });
});
