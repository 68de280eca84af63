// `calsync sinks resync SINK [--since DATE]`: asks the running server to mirror appointments to a sink again
// (POST /api/sinks/SINK/resync), e.g. after Sessions pages were edited or deleted by hand in Notion. It goes
// through HTTP because the server owns the store and its sink workers do the work.
import { parseSinceDate } from '../reconcile/since.js';
import { parseCommandArgs } from './args.js';
import { envOf, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.js';
import { baseUrlArg, callServerApi } from './server-access.js';

export const SINKS_HELP = `Usage: calsync sinks resync SINK [--since DATE] [--url BASE] [--key KEY]

Commands:
  resync SINK   mirror appointments to SINK (e.g. notion) again: every one, or
                those changed since DATE; a Sessions page deleted or trashed in
                Notion is re-created or restored

Run calsync sinks resync --help for its options.`;

export const SINKS_RESYNC_HELP = `Usage: calsync sinks resync SINK [--since DATE] [--url BASE] [--key KEY]

Marks appointments for re-mirroring by SINK on the running server
(POST BASE/api/sinks/SINK/resync); the sink's worker then brings each one's
external object back to the appointment's current state. Prints the answer.

Options:
  --since DATE  only appointments changed since DATE (YYYY-MM-DD or ISO 8601)
  --url BASE    the server (default http://HOST:PORT from the environment,
                i.e. http://127.0.0.1:3000)
  --key KEY     bearer key (default INTERNAL_API_KEY from the environment or
                .env, else the one calsync generated in DATA_DIR)
  -h, --help    this help

Exit status: 0 when the server answered 2xx, 1 otherwise, 2 for wrong arguments.`;

/** Sink names as the registry spells them; anything else is refused before a request is made. */
const SINK_NAME = /^[a-z][a-z0-9_-]{0,49}$/;

export async function runSinks(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub === undefined ? io.err : io.out)(SINKS_HELP);
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (sub !== 'resync') throw new UsageError(`unknown command "sinks ${sub.slice(0, 40)}"`, 'sinks');
  return runResync(rest, io);
}

async function runResync(argv: string[], io: CliIo): Promise<number> {
  const command = 'sinks resync';
  const { values, positionals } = parseCommandArgs(command, argv, { since: { type: 'string' }, url: { type: 'string' }, key: { type: 'string' } });
  if (values.help) {
    io.out(SINKS_RESYNC_HELP);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('expected one SINK (e.g. notion)', command);
  const sink = positionals[0] as string;
  if (!SINK_NAME.test(sink)) throw new UsageError(`SINK must be a sink name such as notion, got "${sink.slice(0, 50)}"`, command);
  const since = values.since === undefined ? undefined : parseSinceDate(values.since);
  if (since === null) throw new UsageError(`--since must be a date (YYYY-MM-DD) or an ISO 8601 date-time, got "${String(values.since).slice(0, 64)}"`, command);

  const env = envOf(io);
  const base = baseUrlArg(values.url, env, command);
  return callServerApi(io, env, base, values.key, { method: 'POST', path: `/api/sinks/${sink}/resync`, body: since === undefined ? {} : { since } });
}
