// `calsync replay EVENT_ID`: asks the running server to re-run a stored event (POST /api/events/:id/replay).
// It goes through HTTP because the server owns the store (the embedded one can have only one owner).
import { parseCommandArgs } from './args.js';
import { envOf, EXIT_OK, UsageError, type CliIo } from './io.js';
import { baseUrlArg, callServerApi } from './server-access.js';

export const REPLAY_HELP = `Usage: calsync replay EVENT_ID [--url BASE] [--key KEY]

Re-runs a stored event through calsync's intake, on the running server
(POST BASE/api/events/EVENT_ID/replay); prints the answer.

Options:
  --url BASE   the server (default http://HOST:PORT from the environment,
               i.e. http://127.0.0.1:3000)
  --key KEY    bearer key (default INTERNAL_API_KEY from the environment or
               .env, else the one calsync generated in DATA_DIR)
  -h, --help   this help

Exit status: 0 when the server answered 2xx, 1 otherwise, 2 for wrong arguments.`;

export async function runReplay(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('replay', argv, { url: { type: 'string' }, key: { type: 'string' } });
  if (values.help) {
    io.out(REPLAY_HELP);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('expected one EVENT_ID', 'replay');
  const id = positionals[0] as string;
  if (!/^[1-9]\d{0,14}$/.test(id)) throw new UsageError(`EVENT_ID must be a positive whole number, got "${id}"`, 'replay');

  const env = envOf(io);
  const base = baseUrlArg(values.url, env, 'replay');
  return callServerApi(io, env, base, values.key, { method: 'POST', path: `/api/events/${id}/replay` });
}
