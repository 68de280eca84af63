// `calsync send TRIGGER`: builds the body Cal.com would send for TRIGGER (or takes a file as it is), signs it
// like Cal.com (hex HMAC-SHA256 of the exact bytes) and posts it, like `stripe trigger`.
import fs from 'node:fs';
import path from 'node:path';
import {
  buildCalcomBody,
  calcomWebhookHeaders,
  SAMPLE_TRIGGERS,
  serializeCalcomBody,
  type SampleOptions,
  type SampleTrigger,
} from '../calcom/samples.js';
import { parseCommandArgs } from './args.js';
import { isSuccess, post, printAnswer } from './http.js';
import { envOf, EXIT_FAILED, EXIT_OK, UsageError, type CliIo } from './io.js';
import { knownBookingTimes, nextFreeSlot, type ServerLookup } from './send-times.js';
import { defaultBaseUrl, internalApiKey, serverWebhookSecret, webhookUrlOf } from './settings.js';

export const SEND_HELP = `Usage: calsync send TRIGGER [options]
       calsync send --file payload.json [options]

Builds a realistic Cal.com webhook body for TRIGGER, signs it as Cal.com does
(X-Cal-Signature-256) and posts it to calsync; prints the answer.

Options:
  --url URL              where to post (default http://HOST:PORT/webhooks/calcom
                         from the environment, i.e. http://127.0.0.1:3000/...;
                         a bare base URL gets /webhooks/calcom added)
  --secret S             signing secret (default CAL_WEBHOOK_SECRET from the
                         environment or .env, else the one calsync generated
                         in DATA_DIR)
  --key KEY              API key, to look up times on the server (default
                         INTERNAL_API_KEY from the environment or .env, else
                         the one calsync generated in DATA_DIR)
  --uid U                booking uid (default: a new random one)
  --reschedule-uid U     the original booking, for BOOKING_RESCHEDULED (and a
                         BOOKING_REQUESTED that is a reschedule)
  --start ISO            booking start (default: for a uid the server knows,
                         its times; else the first free slot from tomorrow on,
                         after the server's latest appointment)
  --metadata k=v         booking metadata entry (repeatable)
  --file payload.json    send this file's bytes as they are, signed (no TRIGGER)
  -h, --help             this help

Triggers: ${SAMPLE_TRIGGERS.join(', ')}

Exit status: 0 when calsync answered 2xx, 1 otherwise, 2 for wrong arguments.`;

export async function runSend(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('send', argv, {
    url: { type: 'string' },
    secret: { type: 'string' },
    uid: { type: 'string' },
    'reschedule-uid': { type: 'string' },
    start: { type: 'string' },
    metadata: { type: 'string', multiple: true },
    file: { type: 'string' },
    key: { type: 'string' },
  });
  if (values.help) {
    io.out(SEND_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError(`expected one TRIGGER, got ${positionals.join(' ')}`, 'send');
  const triggerArg = positionals[0];
  if (values.file !== undefined && triggerArg !== undefined) throw new UsageError('give a TRIGGER or --file, not both', 'send');
  if (values.file === undefined && triggerArg === undefined) throw new UsageError('missing TRIGGER (or --file)', 'send');
  const builderFlags = (['uid', 'reschedule-uid', 'start', 'metadata'] as const).filter((f) => values[f] !== undefined);
  if (values.file !== undefined && builderFlags.length > 0) {
    throw new UsageError(`--${builderFlags[0]} shapes a built body; a --file is sent as it is`, 'send');
  }

  // Arguments first (usage errors), then what comes from the environment.
  const trigger = triggerArg === undefined ? null : sampleTrigger(triggerArg);
  const options = sampleOptions(values);
  const env = envOf(io);
  const url = targetUrl(values.url ?? defaultBaseUrl(env));
  const secret = values.secret ?? serverWebhookSecret(env, io.cwd)?.secret;
  if (!secret) {
    io.err('calsync send: no webhook secret: pass --secret, or set CAL_WEBHOOK_SECRET (environment or .env)');
    return EXIT_FAILED;
  }

  let raw: string | Buffer;
  let description: string;
  if (trigger === null) {
    const file = path.resolve(io.cwd, values.file as string);
    try {
      raw = fs.readFileSync(file);
    } catch (err) {
      io.err(`calsync send: cannot read ${values.file}: ${(err as Error).message}`);
      return EXIT_FAILED;
    }
    description = `${values.file} (${raw.length} bytes, sent as is)`;
  } else {
    const server = lookupServer(url, values.key ?? internalApiKey(env, io.cwd));
    const timesFrom = await fillTimes(options, server);
    const body = buildCalcomBody(trigger, options);
    raw = serializeCalcomBody(body);
    const uid = bookingUidOf(body);
    description = `${trigger}${uid ? ` uid=${uid}` : ''} start=${options.startTime} (${timesFrom}; ${Buffer.byteLength(raw)} bytes)`;
  }

  io.out(`POST ${url}`);
  io.out(description);
  const answer = await post(url, calcomWebhookHeaders(raw, secret), raw);
  printAnswer(io, answer);
  return isSuccess(answer) ? EXIT_OK : EXIT_FAILED;
}

const DEFAULT_LENGTH_MS = 30 * 60_000;

function lookupServer(webhookUrl: string, key: string | null | undefined): ServerLookup | null {
  return key ? { base: new URL(webhookUrl).origin, key } : null;
}

/** Start and end (and a reschedule's original times) when --start did not give them; says where they came from. */
async function fillTimes(options: SampleOptions, server: ServerLookup | null): Promise<string> {
  if (options.rescheduleUid !== undefined) {
    const original = await knownBookingTimes(server, options.rescheduleUid);
    if (original) {
      options.rescheduleStartTime = original.startTime;
      options.rescheduleEndTime = original.endTime;
    }
  }
  if (options.startTime !== undefined) return 'start from --start';
  const known = options.uid === undefined ? null : await knownBookingTimes(server, options.uid);
  if (known) {
    options.startTime = known.startTime;
    options.endTime = known.endTime;
    return 'times of the booking on the server';
  }
  const slot = await nextFreeSlot(server, DEFAULT_LENGTH_MS);
  options.startTime = slot.startTime;
  options.endTime = slot.endTime;
  return server === null ? 'a random free-looking slot: no API key to ask the server' : 'the first free slot after the server\'s appointments';
}

function targetUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return webhookUrlOf(raw);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, got "${raw}"`, 'send');
  }
}

function sampleTrigger(raw: string): SampleTrigger {
  const name = raw.trim().toUpperCase();
  const known: readonly string[] = SAMPLE_TRIGGERS;
  if (!known.includes(name)) throw new UsageError(`unknown trigger "${raw}"; one of: ${SAMPLE_TRIGGERS.join(', ')}`, 'send');
  return name as SampleTrigger;
}

function sampleOptions(values: { uid?: string; 'reschedule-uid'?: string; start?: string; metadata?: string[] }): SampleOptions {
  const options: SampleOptions = {};
  if (values.uid !== undefined) options.uid = nonEmpty(values.uid, '--uid');
  if (values['reschedule-uid'] !== undefined) options.rescheduleUid = nonEmpty(values['reschedule-uid'], '--reschedule-uid');
  if (values.start !== undefined) {
    if (Number.isNaN(Date.parse(values.start)) || !/^\d{4}-\d{2}-\d{2}T/.test(values.start)) {
      throw new UsageError(`--start must be an ISO 8601 date-time, got "${values.start}"`, 'send');
    }
    options.startTime = new Date(values.start).toISOString();
  }
  if (values.metadata !== undefined) {
    const metadata: Record<string, string> = {};
    for (const entry of values.metadata) {
      const eq = entry.indexOf('=');
      if (eq <= 0) throw new UsageError(`--metadata must be key=value, got "${entry}"`, 'send');
      metadata[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    options.metadata = metadata;
  }
  return options;
}

function nonEmpty(value: string, flag: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} must not be empty`, 'send');
  return value.trim();
}

function bookingUidOf(body: Record<string, unknown>): string | null {
  const payload = (typeof body.payload === 'object' && body.payload !== null ? body.payload : body) as Record<string, unknown>;
  const uid = payload.uid ?? payload.bookingUid;
  return typeof uid === 'string' ? uid : null;
}
