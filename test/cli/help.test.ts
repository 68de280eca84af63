// Every command answers --help with its usage (exit 0), and wrong arguments with a usage error (exit 2).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './capture.js';

describe('calsync --help', () => {
  it('lists the commands', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['serve', 'send', 'replay', 'reconcile', 'calcom register', 'notion init']) expect(run.out).toContain(command);
  });

  it.each([
    [['serve', '--help'], 'Usage: calsync serve'],
    [['send', '--help'], 'Usage: calsync send TRIGGER'],
    [['replay', '--help'], 'Usage: calsync replay EVENT_ID'],
    [['reconcile', '--help'], 'Usage: calsync reconcile'],
    [['calcom', '--help'], 'calsync calcom register'],
    [['calcom', 'register', '--help'], 'Usage: calsync calcom register --url PUBLIC_URL'],
    [['notion', '--help'], 'calsync notion init'],
    [['notion', 'init', '--help'], 'Usage: calsync notion init --parent PAGE_ID'],
    [['send', '-h'], 'Usage: calsync send TRIGGER'],
  ])('%j prints its usage', async (argv, usage) => {
    const run = await runCli(argv);
    expect(run.code).toBe(0);
    expect(run.out).toContain(usage);
  });

  it.each([
    [[], 'Usage: calsync COMMAND'],
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['send'], 'missing TRIGGER'],
    [['send', 'BOOKING_EXPLODED'], 'unknown trigger "BOOKING_EXPLODED"'],
    [['send', 'BOOKING_CREATED', '--colour', 'red'], 'calsync send: unknown option --colour'],
    [['send', 'BOOKING_CREATED', '--metadata', 'novalue'], '--metadata must be key=value'],
    [['send', 'BOOKING_CREATED', '--file', 'x.json'], 'give a TRIGGER or --file, not both'],
    [['replay'], 'expected one EVENT_ID'],
    [['replay', 'abc'], 'EVENT_ID must be a positive whole number'],
    [['reconcile', '--since', 'last tuesday'], '--since must be a date'],
    [['calcom'], 'calsync calcom register'],
    [['calcom', 'register'], '--url PUBLIC_URL is required'],
    [['calcom', 'register', '--url', 'ftp://x'], '--url must be an http(s) URL'],
    [['calcom', 'deregister'], 'unknown command "calcom deregister"'],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  });

  it('--version prints the version from package.json', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run.code).toBe(0);
      expect(run.out).toBe(`calsync ${version}`);
    }
  });

  it('every command --help has the same form: a Usage line, then Options with -h, --help', async () => {
    for (const argv of [['serve'], ['send'], ['replay'], ['reconcile'], ['calcom', 'register'], ['notion', 'init']]) {
      const run = await runCli([...argv, '--help']);
      expect(run.code, argv.join(' ')).toBe(0);
      expect(run.out.split('\n')[0], argv.join(' ')).toMatch(new RegExp(`^Usage: calsync ${argv.join(' ')}\\b`));
      if (argv[0] !== 'serve') expect(run.out, argv.join(' ')).toMatch(/\n {2}-h, --help +this help/);
    }
  });

  it.each([
    [['send', 'PING', '--colour', 'red'], 'calsync send: unknown option --colour', 'Usage: calsync send TRIGGER'],
    [['replay', '--url'], 'calsync replay: --url needs a value', 'Usage: calsync replay EVENT_ID'],
    [['notion', 'init', '--parent', '0f0e0d0c0b0a40908070605040302010', '--colour', 'red'], 'calsync notion init: unknown option --colour', 'Usage: calsync notion init'],
    [['calcom', 'register', '--write-env=yes', '--url', 'https://x.example'], 'calsync calcom register: --write-env takes no value', 'Usage: calsync calcom register'],
  ])('%j: one plain line naming the problem, then the usage (not Node\'s wording)', async (argv, first, usage) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    const lines = run.err.split('\n');
    expect(lines[0]).toBe(first);
    expect(lines[1]).toContain(usage);
    expect(run.err).not.toMatch(/To specify a positional argument|TypeError|ERR_PARSE_ARGS/);
  });
});
