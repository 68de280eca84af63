// How a usage error is shown: one line naming the command and what is wrong, then the command's usage
// lines (the "Usage:" block of its --help), then where the full help is.
import type { CliIo } from './io.js';

/** The "Usage: ..." line of a help text and its indented continuation lines. */
export function usageLines(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Usage:'));
  if (start < 0) return [];
  const block = [lines[start] as string];
  for (const line of lines.slice(start + 1)) {
    if (!/^\s+calsync /.test(line)) break;
    block.push(line);
  }
  return block;
}

export function printUsageError(io: Pick<CliIo, 'err'>, command: string, message: string, help: string | undefined): void {
  io.err(`calsync ${command ? `${command}: ` : ''}${message}`);
  for (const line of help === undefined ? [] : usageLines(help)) io.err(line);
  io.err(`Run calsync ${command ? `${command} ` : ''}--help for more.`);
}
