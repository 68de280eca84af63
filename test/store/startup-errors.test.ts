// Issue 11, item 10: a missing PostgreSQL database or role, or a wrong password, stops start-up with one
// line that names DATABASE_URL (and never prints the URL, which may hold a password).
import { describe, expect, it } from 'vitest';
import { explainStartupFailure } from '../../src/main.js';
import { openStore } from '../../src/store/store.js';
import { PG_AVAILABLE, TEST_DATABASE_URL } from '../support/stores.js';

async function failureOf(url: string): Promise<unknown> {
  try {
    const store = await openStore({ kind: 'postgres', url });
    await store.close();
  } catch (err) {
    return err;
  }
  throw new Error(`opening ${url} succeeded`);
}

describe('start-up errors naming DATABASE_URL', () => {
  it.each([
    ['3D000', 'database "nope" does not exist', /database named in DATABASE_URL does not exist/],
    ['28000', 'role "nobody" does not exist', /refused the role named in DATABASE_URL/],
    ['28P01', 'password authentication failed for user "calsync"', /refused the password in DATABASE_URL/],
  ])('PostgreSQL code %s', (code, message, expected) => {
    const line = explainStartupFailure(Object.assign(new Error(message), { code }));
    expect(line).toMatch(expected);
    expect(line).toContain(message);
    expect(line.split('\n')).toHaveLength(1);
  });

  describe.runIf(PG_AVAILABLE)('against the real PostgreSQL', () => {
    it('a database that does not exist', async () => {
      const u = new URL(TEST_DATABASE_URL);
      u.pathname = '/calsync_no_such_database_0001';
      u.password = 'a-secret-password';
      const line = explainStartupFailure(await failureOf(u.toString()));
      expect(line).toMatch(/database named in DATABASE_URL does not exist/);
      expect(line).toContain('calsync_no_such_database_0001');
      expect(line).not.toContain('a-secret-password');
    });

    it('a role that does not exist', async () => {
      const u = new URL(TEST_DATABASE_URL);
      u.username = 'calsync_no_such_role_0001';
      const line = explainStartupFailure(await failureOf(u.toString()));
      expect(line).toMatch(/role named in DATABASE_URL/);
      expect(line).toContain('calsync_no_such_role_0001');
    });
  });
});
