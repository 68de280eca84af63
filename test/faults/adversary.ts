// Pieces of the adversarial suite: a /healthz probe that measures whether the event loop stays responsive,
// a recorder of every answer an attack got, bounded concurrency, bodies with a pathological value in one
// field, and look-ups that prove nothing of an unsigned request reached the store.
import http from 'node:http';
import { sql } from 'kysely';
import { buildCalcomBody, makeBookingUid } from '../../src/calcom/samples.js';
import type { Db } from '../../src/store/store.js';

/** A request that gets no answer within this is a hang, and reported as one. */
export const ATTACK_REQUEST_DEADLINE_MS = 20_000;

export interface Answer {
  what: string;
  status: number | null;
  code: string | null;
  failure: string | null;
  /** The phase when it was sent (e.g. 'blackhole'). */
  phase: string;
  body: unknown;
  ms: number;
  /** When the answer (or the failure) came, epoch ms. */
  answeredAt: number;
}

/** Every answer of an attack, for one assertion at the end that names the odd ones. */
export class AnswerLog {
  readonly answers: Answer[] = [];
  phase = 'attack';

  /**
   * One request on its own connection (node:http, no agent), as an attacker's would be: the server closing
   * an attacker's connection must not hit the pooled connections the real senders use in the test.
   */
  async fetch(what: string, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    const phase = this.phase;
    const started = Date.now();
    let answer: Answer;
    try {
      const { status, text } = await request(url, init);
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON (a page, a redirect): no code.
      }
      const code = (body as { error?: { code?: string } } | null)?.error?.code ?? null;
      answer = { what, status, code, failure: null, phase, body, ms: Date.now() - started, answeredAt: Date.now() };
    } catch (err) {
      answer = { what, status: null, code: null, failure: failureOf(err), phase, body: null, ms: Date.now() - started, answeredAt: Date.now() };
    }
    this.answers.push(answer);
    return answer;
  }

  /** Answers that are neither below 500 nor (answered while the store was unreachable) 503 store_unavailable. */
  odd(storeDown: { from: number; to: number } | null = null): string[] {
    return this.answers
      .filter((a) => a.status === null || (a.status >= 500 && !(a.status === 503 && a.code === 'store_unavailable' && within(a.answeredAt, storeDown))))
      .map((a) => `${a.what} [${a.phase}]: ${a.status ?? a.failure} ${a.code ?? ''}`);
  }
}

function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false, timeout: ATTACK_REQUEST_DEADLINE_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ATTACK_REQUEST_DEADLINE_MS} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server may answer (401, 413, 415) and close before the whole body is sent: that answer counts.
      reject(err);
    });
    req.end(init.body);
  });
}

/** fetch's "fetch failed" with its cause (reset, closed, timeout). */
export function failureOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause ? `${err.message}: ${cause.code ?? ''} ${cause.message ?? ''}`.trim() : err.message;
}

export function within(at: number | undefined, window: { from: number; to: number } | null): boolean {
  return window !== null && at !== undefined && at >= window.from && at <= window.to;
}

/** Runs `tasks` with at most `parallel` at a time. */
export async function runLimited(parallel: number, tasks: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) {
      const task = tasks[next++] as () => Promise<unknown>;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, lane));
}

/** Polls /healthz every `everyMs` while an attack runs; the slowest answer says if the event loop stalled. */
export class HealthProbe {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  readonly latenciesMs: number[] = [];
  readonly failures: string[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly everyMs = 100,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.inFlight) return;
      this.inFlight = this.once().finally(() => (this.inFlight = null));
    }, this.everyMs);
  }

  private async once(): Promise<void> {
    const started = performance.now();
    try {
      const res = await fetch(this.baseUrl + '/healthz', { signal: AbortSignal.timeout(ATTACK_REQUEST_DEADLINE_MS) });
      await res.arrayBuffer();
      if (res.status !== 200) this.failures.push(`status ${res.status}`);
    } catch (err) {
      this.failures.push(err instanceof Error ? err.message : String(err));
    }
    this.latenciesMs.push(performance.now() - started);
  }

  async stop(): Promise<{ probes: number; slowestMs: number; failures: string[] }> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
    return { probes: this.latenciesMs.length, slowestMs: Math.round(Math.max(0, ...this.latenciesMs)), failures: this.failures };
  }
}

export type BodyField = 'triggerEvent' | 'uid' | 'title' | 'email';
export const BODY_FIELDS: readonly BodyField[] = ['triggerEvent', 'uid', 'title', 'email'];

/** A BOOKING_CREATED body (booking `uid`) with `value` in one field. */
export function bodyWith(field: BodyField, value: string, uid: string): Record<string, unknown> {
  const body = buildCalcomBody('BOOKING_CREATED', { uid });
  const payload = body.payload as Record<string, unknown>;
  switch (field) {
    case 'triggerEvent':
      body.triggerEvent = value;
      break;
    case 'uid':
      payload.uid = value;
      break;
    case 'title':
      payload.title = value;
      break;
    case 'email':
      (payload.attendees as Record<string, unknown>[])[0]!.email = value;
      break;
  }
  return body;
}

export function markedUid(marker: string, n: number): string {
  return makeBookingUid(`${marker}-${n}`);
}

/** Rows anywhere in the store that mention `marker` (event bodies, booking uids, refused deliveries). */
export async function rowsMentioning(db: Db, marker: string): Promise<{ events: number; appointmentUids: number; rejected: number }> {
  const pattern = `%${marker}%`;
  const count = async (query: ReturnType<typeof sql<{ n: number | string }>>) => Number((await query.execute(db)).rows[0]?.n ?? 0);
  return {
    events: await count(sql<{ n: number | string }>`select count(*) as n from events where raw_body like ${pattern} or booking_uid like ${pattern}`),
    appointmentUids: await count(sql<{ n: number | string }>`select count(*) as n from appointment_uids where uid like ${pattern}`),
    rejected: await count(sql<{ n: number | string }>`select count(*) as n from rejected_deliveries where booking_uid like ${pattern} or message like ${pattern}`),
  };
}

export async function eventExists(db: Db, id: number): Promise<boolean> {
  const row = await db.selectFrom('events').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}
