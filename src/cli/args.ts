// node:util parseArgs with calsync's conventions: strict, `--help` on every command, and parse errors
// turned into short usage errors (exit 2) that name the command, instead of Node's own wording.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const MAX_ECHOED_CHARS = 80;

export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(plainParseError(err as Error & { code?: string }), command);
  }
}

/** Node's parseArgs messages, said in one short line (the option named as typed, bounded). */
export function plainParseError(err: Error & { code?: string }): string {
  const message = err.message.slice(0, 400);
  const option = (/'(-{1,2}[^' <]*)/.exec(message)?.[1] ?? '').slice(0, MAX_ECHOED_CHARS);
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(message) ? `${option} takes no value` : `${option} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${option || message.replace(/^Unexpected argument '([^']*)'.*$/s, '$1').slice(0, MAX_ECHOED_CHARS)}`;
    default:
      return message.replace(/^TypeError(?: \[\w+\])?: /, '').split('. ')[0] ?? message;
  }
}
