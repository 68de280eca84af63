// `npm start`: read the configuration, open the store, serve, and shut down gracefully on SIGTERM/SIGINT.
import { createApp } from './app.js';
import { composeAppOptions } from './compose.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { generatedSecretsBanner } from './secrets.js';
import { DataDirLockedError } from './store/sqlite.js';

export async function serve(config: Config): Promise<void> {
  const log = createLogger({ level: config.logLevel, personalData: config.logPersonalData });
  const app = await createApp(config, composeAppOptions(config, log));
  const address = await app.listen();
  const publicUrl = address.replace('127.0.0.1', 'localhost');
  if (app.secrets.generatedNow.length > 0) process.stdout.write(generatedSecretsBanner(app.secrets, publicUrl) + '\n');
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

/** Start-up failures are one line naming the cause; nothing starts half-configured. */
export function explainStartupFailure(err: unknown): string {
  if (err instanceof ConfigError) return `calsync: configuration error: ${err.message}`;
  if (err instanceof DataDirLockedError) return `calsync: ${err.message}`;
  const e = err as { code?: string; message?: string };
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
