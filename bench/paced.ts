// An evenly paced open-loop load generator for the benchmarks (bench/fixed-rate.ts): request i is due at
// start + i/rate whatever happened to earlier ones, and its latency counts from when it was due, so a stall
// of the server shows in full (no coordinated omission). Bodies are unique, signed, realistic Cal.com
// BOOKING_CREATED deliveries of about 2.8 KB (a guest, notes and a custom booking field, as a real
// booking form produces), one organizer with consecutive 30-minute slots so no two bookings overlap.
import http from 'node:http';
import { buildCalcomBody, makeBookingUid, serializeCalcomBody, signCalcomBody } from '../src/calcom/samples.js';

const SLOT_MS = 30 * 60_000;
const MAX_SOCKETS = 256;
/** A request unanswered this long counts as an error, so the run always ends. */
const REQUEST_TIMEOUT_MS = 30_000;
const TEMPLATE_START = '2031-06-02T00:00:00Z';
const TEMPLATE_END = '2031-06-02T00:30:00Z';

/** Shared by every generator of this process: no uid or slot is ever used twice, warm-ups included. */
let sequence = 0;
const runTag = (Date.now() % 1_000_000).toString(36).padStart(4, '0');
// Each run has a fresh store, so slots need only be unique within the process.
const slotBase = Date.parse(TEMPLATE_START);

function realisticTemplate(placeholder: string): string {
  return serializeCalcomBody(
    buildCalcomBody('BOOKING_CREATED', {
      uid: placeholder,
      startTime: TEMPLATE_START,
      endTime: TEMPLATE_END,
      guests: ['second.guest@example.org'],
      notes: 'Please call me on my mobile number if the video link does not work, or send a new link by email.',
      extraResponses: { company: 'Example Consulting Ltd' },
    }),
  );
}

export interface SignedBody {
  body: string;
  signature: string;
}

/** Unique signed bodies from one template: a new uid and slot per call. */
export function bookingBodies(secret: string): { next(): SignedBody; templateBytes: number } {
  const placeholder = makeBookingUid('fixed-rate-template');
  const template = realisticTemplate(placeholder);
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return {
    templateBytes: Buffer.byteLength(template),
    next() {
      sequence += 1;
      // Same length as a real uid (22); fixed width so no two counters give the same uid.
      const uid = `fr${runTag}${String(sequence).padStart(16, '0')}`;
      const start = slotBase + sequence * SLOT_MS;
      // The end first: a new start may equal the template's end, never the new end its start.
      const body = template.split(placeholder).join(uid).replace(TEMPLATE_END, iso(start + SLOT_MS)).replace(TEMPLATE_START, iso(start));
      return { body, signature: signCalcomBody(body, secret) };
    },
  };
}

export interface PacedResult {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Latency of each 2xx from when it was due, ms. */
  fromDue: number[];
  /** How late the generator sent each request, ms (its own quality). */
  sendLag: number[];
  /** From the first request's due time to the last answer, s. */
  elapsedS: number;
}

function post(agent: http.Agent, url: URL, { body, signature }: SignedBody): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: '/webhooks/calcom',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'x-cal-signature-256': signature, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends rate × seconds requests at an even pace to `baseUrl`/webhooks/calcom and waits for every answer. */
export function runPaced(baseUrl: string, secret: string, ratePerSecond: number, seconds: number): Promise<PacedResult> {
  return runPacedWith(baseUrl, bookingBodies(secret).next, ratePerSecond, seconds);
}

/** runPaced with the caller's own signed bodies (`next` gives one per request). */
export async function runPacedWith(baseUrl: string, next: () => SignedBody, ratePerSecond: number, seconds: number): Promise<PacedResult> {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const total = Math.round(ratePerSecond * seconds);
  const intervalMs = 1000 / ratePerSecond;
  const result: PacedResult = { sent: 0, ok: 0, non2xx: 0, errors: 0, fromDue: [], sendLag: [], elapsedS: 0 };
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < total; ) {
    const now = performance.now();
    // Send everything that is due (timers wake late; the schedule, not the timer, decides).
    while (i < total && t0 + i * intervalMs <= now) {
      const due = t0 + i * intervalMs;
      const signed = next();
      result.sendLag.push(performance.now() - due);
      result.sent += 1;
      inFlight.push(
        post(agent, url, signed).then(
          (status) => {
            if (status >= 200 && status < 300) {
              result.ok += 1;
              result.fromDue.push(performance.now() - due);
            } else result.non2xx += 1;
          },
          () => {
            result.errors += 1;
          },
        ),
      );
      i += 1;
    }
    const wait = t0 + i * intervalMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(inFlight);
  result.elapsedS = (performance.now() - t0) / 1000;
  agent.destroy();
  return result;
}

/** Exact percentile (nearest rank) of `xs`; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}
