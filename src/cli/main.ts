// `npx calsync ...` (bin/calsync.js → dist/src/cli/main.js). Plain-text output; exit status 0 on success,
// 1 on failure, 2 for wrong arguments.
import { runCalcomRegister } from './calcom-register.js';
import { UnreachableError } from './http.js';
import { envOf, EXIT_FAILED, EXIT_OK, EXIT_USAGE, processIo, UsageError, type CliIo } from './io.js';
import { runReconcile } from './reconcile.js';
import { runReplay } from './replay.js';
import { runSend } from './send.js';
import { runServe } from './serve.js';

export const MAIN_HELP = `Usage: calsync COMMAND [options]

Cal.com booking webhooks into an appointments store and a Notion mirror.

Commands:
  serve                          start the server (same as npm start)
  send TRIGGER [--url URL]       send a realistic signed Cal.com webhook
  replay EVENT_ID                re-run a stored event on the running server
  reconcile [--since DATE]       repair what missed webhooks left out
  calcom register --url URL      subscribe calsync to Cal.com's webhooks
  notion init --parent PAGE_ID   create the Notion databases

Run calsync COMMAND --help for a command's options.`;

const CALCOM_HELP = `Usage: calsync calcom register --url PUBLIC_URL [--secret S] [--write-env]

Commands:
  register   create or reuse the Cal.com webhook subscription for calsync

Run calsync calcom register --help for its options.`;

const NOTION_HELP = `Usage: calsync notion init --parent PAGE_ID

Commands:
  init       create the Clients and Sessions databases under a Notion page

Run calsync notion init --help for its options.`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

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
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command "${command}"`, '');
    return await run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`calsync ${err.command ? `${err.command}: ` : ''}${err.message}`);
      io.err(`Run calsync ${err.command ? `${err.command} ` : ''}--help for usage.`);
      return EXIT_USAGE;
    }
    if (err instanceof UnreachableError) {
      io.err(`calsync ${command}: ${err.message}`);
      return EXIT_FAILED;
    }
    throw err;
  }
}
