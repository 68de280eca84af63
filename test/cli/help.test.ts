// Every command answers --help with its usage (exit 0), and wrong arguments with a usage error (exit 2).
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
    [['notion', 'init', '--help'], 'calsync notion init --parent PAGE_ID'],
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
    [['send', 'BOOKING_CREATED', '--colour', 'red'], "Unknown option '--colour'"],
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
});
