// `calsync reconcile [--since DATE]`: one reconciliation run. With --url it asks the running server
// (POST /api/reconcile), which is the way while the server owns the embedded store. Without --url it opens
// the configured store itself: always fine on PostgreSQL, and on SQLite only while the server is stopped
// (the data dir's lock says so, and this command points to --url).
import pino from 'pino';
import { composeFeatures } from '../compose.js';
import { ConfigError, loadConfig } from '../config.js';
import { registeredSinks } from '../feature.js';
import { Intake } from '../intake/intake.js';
import { createLogger } from '../logger.js';
import { calcomClientFor } from '../calcom/api/configured-client.js';
import { Reconciler } from '../reconcile/reconciler.js';
import type { ReconcileSummary } from '../reconcile/reconcile.js';
import { parseSinceDate } from '../reconcile/since.js';
import { DataDirLockedError } from '../store/sqlite.js';
import { openStore, storeConfigFor } from '../store/store.js';
import { parseCommandArgs } from './args.js';
import { isSuccess, post, printAnswer } from './http.js';
import { envOf, EXIT_FAILED, EXIT_OK, UsageError, type CliIo } from './io.js';
import { baseUrlArg, requireApiKey } from './server-access.js';
import { defaultBaseUrl } from './settings.js';

export const RECONCILE_HELP = `Usage: calsync reconcile [--since DATE | --full] [--url BASE [--key KEY]]

Reads the bookings Cal.com changed (GET /v2/bookings, page by page) and
repairs what calsync missed: a creation, cancellation, reschedule or
confirmation whose webhook never arrived. Bookings calsync already knows are
left alone. Needs CALCOM_API_KEY.

Without --since it reads what changed since the last complete run (on the
first run: since calsync's first recorded event, or the last 24 hours).

Options:
  --since DATE  read bookings updated since DATE (YYYY-MM-DD or ISO 8601)
  --full        read every booking, whatever was read before (not with --since)
  --url BASE    ask the running server to do it (POST BASE/api/reconcile);
                needed with the embedded store while the server runs
  --key KEY     bearer key for --url (default INTERNAL_API_KEY, or the one
                calsync generated in DATA_DIR)
  -h, --help    this help

Without --url the store in DATA_DIR / DATABASE_URL is opened directly: with
the embedded store, stop the server first (or use --url).

Exit status: 0 on a complete run, 1 otherwise, 2 for wrong arguments.`;

export async function runReconcile(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('reconcile', argv, {
    since: { type: 'string' },
    full: { type: 'boolean' },
    url: { type: 'string' },
    key: { type: 'string' },
  });
  if (values.help) {
    io.out(RECONCILE_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, 'reconcile');
  const since = values.since === undefined ? undefined : parseSinceDate(values.since);
  if (since === null) throw new UsageError(`--since must be a date (YYYY-MM-DD) or an ISO 8601 date-time, got "${values.since}"`, 'reconcile');
  if (values.key !== undefined && values.url === undefined) throw new UsageError('--key goes with --url', 'reconcile');
  // Like POST /api/reconcile: a full run has no lower bound, so a --since beside it would be ignored silently.
  if (values.full === true && since !== undefined) throw new UsageError('--full cannot go with --since', 'reconcile');
  const range: RunRange = values.full === true ? { full: true } : since === undefined ? {} : { since };

  const env = envOf(io);
  if (values.url !== undefined) return viaServer(io, baseUrlArg(values.url, env, 'reconcile'), values.key, range, env);
  return inProcess(io, env, range);
}

/** Which bookings one run reads: since the last complete run ({}), since a date, or all of them. */
type RunRange = { full: true } | { since: string } | Record<string, never>;

async function viaServer(io: CliIo, base: string, keyFlag: string | undefined, range: RunRange, env: Record<string, string | undefined>) {
  const key = requireApiKey(keyFlag, env, io);
  if (key === null) return EXIT_FAILED;
  const url = `${base}/api/reconcile`;
  io.out(`POST ${url}`);
  const answer = await post(url, { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, JSON.stringify(range));
  if (isSuccess(answer)) {
    printSummary(io, JSON.parse(answer.text) as ReconcileSummary);
    return (JSON.parse(answer.text) as ReconcileSummary).complete ? EXIT_OK : EXIT_FAILED;
  }
  printAnswer(io, answer);
  return EXIT_FAILED;
}

async function inProcess(io: CliIo, env: Record<string, string | undefined>, range: RunRange): Promise<number> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`calsync reconcile: configuration error: ${err.message}`);
      return EXIT_FAILED;
    }
    throw err;
  }
  const log = createLogger({ level: 'warn', personalData: config.logPersonalData, destination: pino.destination(2) });
  const client = calcomClientFor(config, log);
  if (!client) {
    io.err('calsync reconcile: CALCOM_API_KEY is not set (environment or .env); reconciliation reads bookings through the Cal.com API');
    return EXIT_FAILED;
  }
  let store;
  try {
    store = await openStore(storeConfigFor(config));
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      io.err(`calsync reconcile: ${err.message}.\nWhile the server runs, ask it instead: calsync reconcile --url ${defaultBaseUrl(env)}`);
      return EXIT_FAILED;
    }
    io.err(`calsync reconcile: cannot open the store: ${(err as Error).message}`);
    return EXIT_FAILED;
  }
  // The same sinks the server marks dirty, so the mirror picks up what this run repairs.
  const intake = new Intake(store, { sinks: registeredSinks(composeFeatures(config)), log });
  try {
    const summary = await new Reconciler({ store, client, intake, log }).run(range);
    printSummary(io, summary);
    return summary.complete ? EXIT_OK : EXIT_FAILED;
  } catch (err) {
    io.err(`calsync reconcile: ${(err as Error).message}`);
    return EXIT_FAILED;
  } finally {
    await intake.idle();
    await store.close();
  }
}

export function printSummary(io: CliIo, s: ReconcileSummary): void {
  const actions = Object.entries(s.actions)
    .map(([action, n]) => `${action} ${n}`)
    .join(', ');
  io.out(
    [
      `reconcile: ${s.complete ? 'complete' : 'incomplete (the next run reads the same range again)'}`,
      `  since       ${s.since ?? 'the beginning'}`,
      `  pages       ${s.pages}`,
      `  read        ${s.seen}`,
      `  recorded    ${s.recorded}${actions ? ` (${actions})` : ''}`,
      `  unchanged   ${s.unchanged}`,
      `  unreadable  ${s.unreadable}`,
      `  failed      ${s.failed}`,
    ].join('\n'),
  );
}
