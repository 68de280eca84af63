// `npm start`: read the configuration, open the store, serve, and shut down gracefully on SIGTERM/SIGINT.
import { createApp } from './app.js';
import { composeAppOptions } from './compose.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { limitHeapGrowth } from './heap-growth.js';
import { generatedSecretsBanner, generatedSecretsFile, remindWhereSecretsAre } from './secrets.js';
import { DataDirLockedError } from './store/sqlite.js';

export async function serve(config: Config): Promise<void> {
  limitHeapGrowth();
  const log = createLogger({ level: config.logLevel, personalData: config.logPersonalData });
  const app = await createApp(config, composeAppOptions(config, log));
  const address = await app.listen();
  const publicUrl = address.replace('127.0.0.1', 'localhost');
  const secretsFile = app.store.dataDir === null ? null : generatedSecretsFile(config);
  if (app.secrets.generatedNow.length > 0) {
    // stdout is also the log stream (journald, docker logs, a collector): the values go only to a person at
    // an interactive terminal; otherwise the log says where they are, never what they are.
    if (process.stdout.isTTY) process.stdout.write(generatedSecretsBanner(app.secrets, publicUrl, secretsFile) + '\n');
    else {
      log.warn(
        { generated: app.secrets.generatedNow, secrets_file: secretsFile },
        `generated secrets not printed (stdout is not a terminal); ${secretsFile ? `read them from ${secretsFile}` : 'they are in the database settings (generated.*)'}`,
      );
    }
  }
  // A banner lost to a failed first start (or a scrolled-away terminal) must not lose the set-up: say where
  // the secrets are on every start until Cal.com's first webhook arrives. The values never go to the log.
  await remindWhereSecretsAre(app.store, config, log);
  log.info({ address, store: app.store.quirks.name, location: app.store.location, notion: config.notion !== null }, 'calsync listening');

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down: no new requests, finishing in-flight work');
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** PostgreSQL error codes at log-in: invalid_catalog_name, invalid_authorization_specification, invalid_password. */
const PG_NO_SUCH_DATABASE = '3D000';
const PG_ROLE_REFUSED = '28000';
const PG_WRONG_PASSWORD = '28P01';

/** Start-up failures are one line naming the cause; nothing starts half-configured. */
export function explainStartupFailure(err: unknown): string {
  if (err instanceof ConfigError) return `calsync: configuration error: ${err.message}`;
  if (err instanceof DataDirLockedError) return `calsync: ${err.message}`;
  const e = err as { code?: string; message?: string; address?: string; port?: number };
  if (e?.code === 'EADDRINUSE') {
    return `calsync: port ${e.port ?? ''} on ${e.address ?? 'this host'} is already in use (another calsync or another program); stop it, or start on another port, e.g. PORT=${(e.port ?? 3000) + 1} npm start`;
  }
  if (e?.code === 'EACCES' && e.port !== undefined) return `calsync: not allowed to listen on port ${e.port}; choose a port above 1023, e.g. PORT=3000`;
  if (e?.code === 'EADDRNOTAVAIL') return `calsync: cannot listen on ${e.address ?? 'that address'}: this machine has no such address; check HOST=`;
  // PostgreSQL's answers at log-in name the database or role; the fix is in DATABASE_URL (never printed: it may hold a password).
  if (e?.code === PG_NO_SUCH_DATABASE) return `calsync: the PostgreSQL database named in DATABASE_URL does not exist (${e.message}); create it (createdb NAME) or fix DATABASE_URL`;
  if (e?.code === PG_ROLE_REFUSED) return `calsync: PostgreSQL refused the role named in DATABASE_URL (${e.message}); create the role or fix DATABASE_URL`;
  if (e?.code === PG_WRONG_PASSWORD) return `calsync: PostgreSQL refused the password in DATABASE_URL (${e.message}); fix DATABASE_URL`;
  if (e?.code === 'ECONNREFUSED' || /connect/i.test(e?.message ?? '')) return `calsync: cannot reach the store (DATABASE_URL): ${e.message}`;
  return `calsync: start-up failed: ${e?.message ?? String(err)}`;
}

const isEntryPoint = import.meta.url === `file://${process.argv[1]}`;
if (isEntryPoint) {
  try {
    await serve(loadConfig());
  } catch (err) {
    process.stderr.write(explainStartupFailure(err) + '\n');
    process.exit(1);
  }
}
