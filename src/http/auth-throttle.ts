// A brake on guessing INTERNAL_API_KEY: wrong admin logins and wrong bearer keys are counted per client
// address (request.ip, which TRUST_PROXY decides), and an address that used up its failure budget in the
// window gets 429 `rate_limited` with Retry-After for every further login or bearer request until the window
// ends, right key or not (answering a right key then would tell a guesser when it hit). Only failures are
// counted, so a correct key from another address is never slowed down by someone else's guessing.
//
// Counting is @fastify/rate-limit's (its in-memory LRU store, bounded); the lock is a small bounded map here,
// because the plugin can count but not tell whether an address is over its budget without counting again.
// Both live in this process's memory: with several instances each keeps its own budget (documented).
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CalsyncError } from '../errors.js';

export interface AuthThrottleOptions {
  /** Failed attempts an address may make per window before it is locked out for the rest of it. */
  failureBudget: number;
  windowMs: number;
}

export const AUTH_THROTTLE_DEFAULTS: AuthThrottleOptions = { failureBudget: 10, windowMs: 60_000 };
/** Addresses tracked at once (counters and locks each); the oldest are forgotten first. */
const MAX_TRACKED_ADDRESSES = 10_000;

/** What the credential of one login or bearer request turned out to be. */
export type AuthAttempt = 'ok' | 'wrong' | 'absent';

type CountFailure = ReturnType<FastifyInstance['createRateLimit']>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by installAuthThrottle on the root instance; visible in every context. */
    authThrottle?: AuthThrottle;
  }
}

export class AuthThrottle {
  private readonly lockedUntil = new Map<string, number>();

  constructor(
    private readonly countFailure: CountFailure,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Call after checking a credential, before answering. Throws 429 `rate_limited` (with Retry-After) when
   * the address is locked out; counts a wrong credential, locking the address when that used up its budget.
   */
  async check(request: FastifyRequest, reply: FastifyReply, attempt: AuthAttempt): Promise<void> {
    const address = request.ip;
    const now = this.now();
    const until = this.lockedUntil.get(address);
    if (until !== undefined) {
      if (until > now) this.refuse(reply, until - now);
      this.lockedUntil.delete(address);
    }
    if (attempt !== 'wrong') return;
    const counted = await this.countFailure(request);
    if (counted.isAllowed) return;
    if (counted.isExceeded) this.refuse(reply, counted.ttl);
    if (counted.remaining === 0) {
      this.lock(address, now + counted.ttl);
      request.log.warn({ ip: address, retry_after_s: Math.ceil(counted.ttl / 1000) }, 'too many failed logins or bearer keys: address locked out');
    }
  }

  private lock(address: string, until: number): void {
    if (this.lockedUntil.size >= MAX_TRACKED_ADDRESSES) {
      const now = this.now();
      for (const [a, u] of this.lockedUntil) if (u <= now) this.lockedUntil.delete(a);
      const oldest = this.lockedUntil.keys().next();
      if (this.lockedUntil.size >= MAX_TRACKED_ADDRESSES && !oldest.done) this.lockedUntil.delete(oldest.value);
    }
    this.lockedUntil.set(address, until);
  }

  private refuse(reply: FastifyReply, waitMs: number): never {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    void reply.header('retry-after', String(seconds));
    throw new CalsyncError('rate_limited', `Too many failed logins or bearer keys from this address; retry in ${seconds} s`);
  }
}

/** Registers the counter and decorates the root instance with `authThrottle` (before any route context). */
export async function installAuthThrottle(app: FastifyInstance, options: AuthThrottleOptions = AUTH_THROTTLE_DEFAULTS): Promise<AuthThrottle> {
  // global: false: the plugin limits no route by itself; it only provides the counter below.
  await app.register(fastifyRateLimit, { global: false, cache: MAX_TRACKED_ADDRESSES });
  const countFailure = app.createRateLimit({
    max: options.failureBudget,
    timeWindow: options.windowMs,
    keyGenerator: (request) => request.ip,
  });
  const throttle = new AuthThrottle(countFailure);
  app.decorate('authThrottle', throttle);
  return throttle;
}

/** The credential state of a bearer request: a wrong or malformed Authorization header counts as a guess. */
export function bearerAttempt(request: FastifyRequest, ok: boolean): AuthAttempt {
  if (ok) return 'ok';
  return request.headers.authorization === undefined ? 'absent' : 'wrong';
}
