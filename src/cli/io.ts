// What a command reads and writes: output streams, the environment and the working directory. main()
// gets the real ones; tests pass their own and read what was printed.
import { environment } from '../config.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** The process environment (a `.env` in `cwd` is merged in by `envOf`). */
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** The environment as calsync's configuration sees it: `.env` in the working directory, real variables winning. */
export function envOf(io: CliIo): Record<string, string | undefined> {
  return environment(io.cwd, io.env);
}

/** Wrong arguments: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
