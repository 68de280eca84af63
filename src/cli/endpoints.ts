// `calsync endpoints add URL | list | remove ID | resend ID --since DATE | enable ID | disable ID`: manages
// outbound webhook endpoints on the running server (/api/webhook-endpoints). It goes through HTTP because
// the server owns the store (the embedded one can have only one owner).
import { parseCommandArgs } from './args.js';
import { envOf, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io.js';
import { baseUrlArg, callServerApi } from './server-access.js';

export const ENDPOINTS_HELP = `Usage: calsync endpoints COMMAND [options] [--url BASE] [--key KEY]

Outbound webhook endpoints (signed per Standard Webhooks) of the running server.

Commands:
  add URL [--description D]     register an endpoint; prints its id and secret (whsec_...)
  list                          every endpoint with its state, last status, failing since
  remove ID                     delete an endpoint and its pending messages
  resend ID --since DATE        deliver the current state of every appointment changed
                                at or after DATE again (new webhook-ids, appointment.updated)
  enable ID | disable ID        switch an endpoint on (it catches up) or off

Options:
  --url BASE   the server (default http://HOST:PORT from the environment,
               i.e. http://127.0.0.1:3000)
  --key KEY    bearer key (default INTERNAL_API_KEY from the environment or
               .env, else the one calsync generated in DATA_DIR)
  -h, --help   this help

Exit status: 0 when the server answered 2xx, 1 otherwise, 2 for wrong arguments.`;

const ID_PATTERN = /^ep_[A-Za-z0-9_-]{1,64}$/;
const MAX_ARG_CHARS = 2_048;

function endpointId(positionals: string[], sub: string): string {
  if (positionals.length !== 1) throw new UsageError('expected one endpoint ID (ep_...)', `endpoints ${sub}`);
  const id = positionals[0] as string;
  if (!ID_PATTERN.test(id)) throw new UsageError(`ID must look like ep_..., got "${id.slice(0, 80)}"`, `endpoints ${sub}`);
  return id;
}

export async function runEndpoints(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub === undefined ? io.err : io.out)(ENDPOINTS_HELP);
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = `endpoints ${sub}`;
  const { values, positionals } = parseCommandArgs(command, rest, {
    url: { type: 'string' },
    key: { type: 'string' },
    description: { type: 'string' },
    since: { type: 'string' },
  });
  if (values.help) {
    io.out(ENDPOINTS_HELP);
    return EXIT_OK;
  }
  const env = envOf(io);
  const base = baseUrlArg(values.url, env, command);
  let method: string;
  let path: string;
  let body: unknown;
  switch (sub) {
    case 'add': {
      if (positionals.length !== 1) throw new UsageError('expected one endpoint URL', command);
      const url = positionals[0] as string;
      if (url.length > MAX_ARG_CHARS) throw new UsageError(`URL is longer than ${MAX_ARG_CHARS} characters`, command);
      method = 'POST';
      path = '/api/webhook-endpoints';
      body = { url, ...(values.description !== undefined ? { description: values.description } : {}) };
      break;
    }
    case 'list':
      if (positionals.length !== 0) throw new UsageError('list takes no arguments', command);
      method = 'GET';
      path = '/api/webhook-endpoints';
      break;
    case 'remove':
      method = 'DELETE';
      path = `/api/webhook-endpoints/${endpointId(positionals, sub)}`;
      break;
    case 'resend': {
      const id = endpointId(positionals, sub);
      const since = values.since;
      if (since === undefined) throw new UsageError('--since DATE is required (ISO 8601, e.g. 2026-12-01 or 2026-12-01T09:00:00Z)', command);
      if (!/^\d{4}-\d{2}-\d{2}/.test(since) || !Number.isFinite(Date.parse(since))) throw new UsageError(`--since must be an ISO 8601 date or date-time, got "${since.slice(0, 80)}"`, command);
      method = 'POST';
      path = `/api/webhook-endpoints/${id}/resend`;
      body = { since: new Date(since).toISOString() };
      break;
    }
    case 'enable':
    case 'disable':
      method = 'PATCH';
      path = `/api/webhook-endpoints/${endpointId(positionals, sub)}`;
      body = { enabled: sub === 'enable' };
      break;
    default:
      throw new UsageError(`unknown command "endpoints ${sub.slice(0, 40)}"`, 'endpoints');
  }
  return callServerApi(io, env, base, values.key, { method, path, body });
}
