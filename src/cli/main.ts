// `npx calsync ...` (bin/calsync.js → dist/src/cli/main.js). Plain-text output; exit status 0 on success,
// 1 on failure, 2 for wrong arguments.
import { REGISTER_HELP, runCalcomRegister } from './calcom-register.js';
import { ENDPOINTS_HELP, runEndpoints } from './endpoints.js';
import { UnreachableError } from './http.js';
import { envOf, EXIT_FAILED, EXIT_OK, EXIT_USAGE, processIo, UsageError, type CliIo } from './io.js';
import { RECONCILE_HELP, runReconcile } from './reconcile.js';
import { REPLAY_HELP, runReplay } from './replay.js';
import { runSend, SEND_HELP } from './send.js';
import { runServe, SERVE_HELP } from './serve.js';
import { runSinks, SINKS_HELP, SINKS_RESYNC_HELP } from './sinks.js';
import { printUsageError } from './usage.js';
import { calsyncVersion } from './version.js';

export const MAIN_HELP = `Usage: calsync COMMAND [options]

Cal.com booking webhooks into an appointments store and a Notion mirror.

Commands:
  serve                          start the server (same as npm start)
  send TRIGGER [--url URL]       send a realistic signed Cal.com webhook
  replay EVENT_ID                re-run a stored event on the running server
  reconcile [--since DATE]       repair what missed webhooks left out
  calcom register --url URL      subscribe calsync to Cal.com's webhooks
  notion init --parent PAGE_ID   create the Notion databases
  endpoints add URL | list | remove ID | resend ID --since DATE
                                 outbound webhook endpoints
  sinks resync SINK [--since DATE]
                                 mirror appointments to a sink again

Run calsync COMMAND --help for a command's options; calsync --version prints the version.`;

const CALCOM_HELP = `Usage: calsync calcom register --url PUBLIC_URL [--secret S] [--write-env]

Commands:
  register   create or reuse the Cal.com webhook subscription for calsync

Run calsync calcom register --help for its options.`;

const NOTION_HELP = `Usage: calsync notion init --parent PAGE_ID

Commands:
  init       create the Clients and Sessions databases under a Notion page

Run calsync notion init --help for its options.`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

/** The help whose usage lines follow a usage error of that command. */
const HELP_BY_COMMAND: Record<string, string> = {
  '': MAIN_HELP,
  serve: SERVE_HELP,
  send: SEND_HELP,
  replay: REPLAY_HELP,
  reconcile: RECONCILE_HELP,
  calcom: CALCOM_HELP,
  'calcom register': REGISTER_HELP,
  notion: NOTION_HELP,
  endpoints: ENDPOINTS_HELP,
  sinks: SINKS_HELP,
  'sinks resync': SINKS_RESYNC_HELP,
};

async function helpOf(command: string): Promise<string | undefined> {
  if (command === 'notion init') return (await import('./notion-init.js')).NOTION_INIT_HELP;
  return HELP_BY_COMMAND[command];
}

/** `notion init` lives with the Notion sink; loaded only when used. It reads io.env, so `.env` is merged in. */
const runNotionInit: Command = async (argv, io) => {
  const { runNotionInit: run } = await import('./notion-init.js');
  return run(argv, { ...io, env: envOf(io) });
};

const COMMANDS: Record<string, Command> = {
  serve: runServe,
  send: runSend,
  replay: runReplay,
  reconcile: runReconcile,
  calcom: group('calcom', CALCOM_HELP, { register: runCalcomRegister }),
  notion: group('notion', NOTION_HELP, { init: runNotionInit }),
  endpoints: runEndpoints,
  sinks: runSinks,
};

function group(name: string, help: string, subcommands: Record<string, Command>): Command {
  return async (argv, io) => {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      (sub === undefined ? io.err : io.out)(help);
      return sub === undefined ? EXIT_USAGE : EXIT_OK;
    }
    const run = subcommands[sub];
    if (!run) throw new UsageError(`unknown command "${name} ${sub}"`, name);
    return run(rest, io);
  };
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    io.err(MAIN_HELP);
    return EXIT_USAGE;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(MAIN_HELP);
    return EXIT_OK;
  }
  if (command === '--version' || command === '-V' || command === 'version') {
    io.out(`calsync ${calsyncVersion()}`);
    return EXIT_OK;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command "${command}"`, '');
    return await run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      printUsageError(io, err.command, err.message, await helpOf(err.command));
      return EXIT_USAGE;
    }
    if (err instanceof UnreachableError) {
      io.err(`calsync ${command}: ${err.message}`);
      return EXIT_FAILED;
    }
    throw err;
  }
}
