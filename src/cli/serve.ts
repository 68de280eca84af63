// `calsync serve`: the same as `npm start`.
import { loadConfig } from '../config.js';
import { explainStartupFailure, serve } from '../main.js';
import { parseCommandArgs } from './args.js';
import { envOf, EXIT_FAILED, EXIT_OK, UsageError, type CliIo } from './io.js';

export const SERVE_HELP = `Usage: calsync serve

Starts the calsync server (the same as npm start): webhook intake, API, and
the background workers. Configured by the environment and ./.env: PORT, HOST,
DATA_DIR or DATABASE_URL, CAL_WEBHOOK_SECRET, INTERNAL_API_KEY, NOTION_*,
CALCOM_API_KEY, RECONCILE_INTERVAL_MINUTES, ... (see the README).
Stops gracefully on SIGTERM/SIGINT.`;

export async function runServe(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('serve', argv, {});
  if (values.help) {
    io.out(SERVE_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'serve');
  try {
    // Resolves once listening; the server then keeps the process alive until a signal stops it.
    await serve(loadConfig(envOf(io)));
    return EXIT_OK;
  } catch (err) {
    io.err(explainStartupFailure(err));
    return EXIT_FAILED;
  }
}
