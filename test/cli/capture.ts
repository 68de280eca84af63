// Runs the CLI's main() in-process with a captured output, its own environment and working directory.
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { tempDir } from '../support/stores.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(argv: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    // Only what the test gives: the developer's own environment must not leak into these runs.
    env: opts.env ?? {},
    cwd: opts.cwd ?? emptyDir(),
  };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let empty: string | null = null;
/** A working directory without a .env. */
function emptyDir(): string {
  empty ??= tempDir('calsync-cli-');
  return empty;
}
