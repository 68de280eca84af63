// Generated secrets are shared through the store: instances that start together agree on one value, and
// only the instance whose value was kept announces it.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { resolveSecrets } from '../../src/secrets.js';
import { openStore, type Store } from '../../src/store/store.js';
import { freshPostgresUrl, PG_AVAILABLE } from '../support/stores.js';

describe.skipIf(!PG_AVAILABLE)('generated secrets on a shared PostgreSQL', () => {
  const stores: Store[] = [];
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await drop?.();
  });

  it('several instances starting at once end with one webhook secret and one API key', async () => {
    const pg = await freshPostgresUrl();
    drop = pg.drop;
    const config = loadConfig({ DATABASE_URL: pg.url, DATA_DIR: '/nonexistent-unused' });
    for (let i = 0; i < 4; i++) stores.push(await openStore({ kind: 'postgres', url: pg.url }));
    const resolved = await Promise.all(stores.map((s) => resolveSecrets(s, config)));
    expect(new Set(resolved.map((r) => r.webhookSecrets[0])).size).toBe(1);
    expect(new Set(resolved.map((r) => r.internalApiKey)).size).toBe(1);
    expect(resolved.filter((r) => r.generatedNow.includes('CAL_WEBHOOK_SECRET'))).toHaveLength(1);
  });
});
