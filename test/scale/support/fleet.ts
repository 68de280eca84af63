// Several calsync processes (the BUILT server, as `npm start` runs it) on one PostgreSQL schema, each with
// its own application_name on its connections, so that the holder of the Notion sink's advisory lock can be
// told apart in pg_locks.
import pg from 'pg';
import { spawnServer, waitHealthy, type ChildServer } from '../../support/child-server.js';
import { waitFor } from '../../sinks/support/notion.js';

export interface Instance {
  index: number;
  /** Its application_name in pg_stat_activity. */
  name: string;
  server: ChildServer;
  /** False from the moment the test decides to kill it: nothing new is sent to it. */
  alive: boolean;
}

export function instanceName(index: number): string {
  return `calsync-scale-${index}`;
}

/** DATABASE_URL with the instance's application_name; everything else is shared. */
export function databaseUrlFor(sharedUrl: string, name: string): string {
  const url = new URL(sharedUrl);
  url.searchParams.set('application_name', name);
  return url.toString();
}

/** Starts `count` instances at once (as a process manager would) and waits until each is ready. */
export async function startFleet(count: number, sharedEnv: Record<string, string>, databaseUrl: string): Promise<Instance[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, async (_, index) => {
      const name = instanceName(index);
      const server = await spawnServer({ ...sharedEnv, DATABASE_URL: databaseUrlFor(databaseUrl, name) });
      return { index, name, server, alive: true };
    }),
  );
  const instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stopFleet(instances);
    throw failed.reason;
  }
  try {
    await Promise.all(instances.map((i) => waitHealthy(i.server, 30_000)));
    // /readyz is what a load balancer asks: the store answers.
    await Promise.all(instances.map((i) => waitFor(`${i.name} ready`, async () => (await fetch(`${i.server.url}/readyz`)).status === 200, { timeoutMs: 15_000 })));
  } catch (err) {
    await stopFleet(instances);
    throw err;
  }
  return instances;
}

export async function stopFleet(instances: readonly Instance[]): Promise<void> {
  await Promise.all(instances.map((i) => i.server.kill('SIGKILL')));
}

/** application_names of the sessions holding this schema's Notion sink lock (the key leadership.ts uses). */
export async function notionLockHolders(admin: pg.Client): Promise<string[]> {
  const { rows } = await admin.query<{ name: string }>(
    `select a.application_name as name
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
        and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(current_schema() || ':calsync-sink:notion', 0)`,
  );
  return rows.map((r) => r.name);
}
