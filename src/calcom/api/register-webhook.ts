// Creates or reuses calsync's webhook subscription at Cal.com. Idempotent: an existing subscription for
// the same subscriber URL is reused (and only patched when its triggers, active flag or secret are not
// what calsync needs), so running it again creates nothing.
import { randomBytes } from 'node:crypto';
import { CALCOM_SUBSCRIBABLE_TRIGGERS } from '../samples.js';
import { TRIGGER_HANDLING } from '../triggers.js';
import type { CalcomApiClient } from './client.js';
import type { ApiWebhook } from './schemas.js';
import { createWebhook, listWebhooks, updateWebhook } from './webhooks.js';

/** The payload version calsync's parser reads. */
export const CALSYNC_WEBHOOK_VERSION = '2021-10-20';

/** Triggers calsync turns into events and that a subscription may name (not PING, not BOOKING_CONFIRMED). */
export const CALSYNC_WEBHOOK_TRIGGERS: readonly string[] = CALCOM_SUBSCRIBABLE_TRIGGERS.filter((t) => TRIGGER_HANDLING[t].handle === 'event');

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

export interface RegisterInput {
  subscriberUrl: string;
  /** The secret the server verifies with, when known; otherwise the existing one is kept or one is generated. */
  serverSecret: string | null;
}

export type RegisterResult = {
  webhook: ApiWebhook;
  secret: string;
} & ({ action: 'created' } | { action: 'unchanged' } | { action: 'updated'; changed: ('triggers' | 'active' | 'secret')[] });

export async function registerWebhook(client: CalcomApiClient, input: RegisterInput): Promise<RegisterResult> {
  const existing = (await listWebhooks(client)).find((w) => sameUrl(w.subscriberUrl, input.subscriberUrl));
  if (!existing) {
    const secret = input.serverSecret ?? generateWebhookSecret();
    const webhook = await createWebhook(client, {
      subscriberUrl: input.subscriberUrl,
      active: true,
      triggers: [...CALSYNC_WEBHOOK_TRIGGERS],
      secret,
      version: CALSYNC_WEBHOOK_VERSION,
    });
    return { action: 'created', webhook, secret };
  }

  // Cal.com may not return the secret; an unknown one has to be replaced, or nobody could verify.
  const secret = input.serverSecret ?? existing.secret ?? generateWebhookSecret();
  const missing = CALSYNC_WEBHOOK_TRIGGERS.filter((t) => !existing.triggers.includes(t));
  const changed: ('triggers' | 'active' | 'secret')[] = [];
  if (missing.length > 0) changed.push('triggers');
  if (!existing.active) changed.push('active');
  if (existing.secret !== secret) changed.push('secret');
  if (changed.length === 0) return { action: 'unchanged', webhook: existing, secret };
  const webhook = await updateWebhook(client, existing.id, {
    ...(missing.length > 0 ? { triggers: [...new Set([...existing.triggers, ...missing])] } : {}),
    ...(!existing.active ? { active: true } : {}),
    ...(existing.secret !== secret ? { secret } : {}),
  });
  return { action: 'updated', changed, webhook, secret };
}

/** Same scheme, host, port and path, ignoring a trailing slash and the host's case. */
export function sameUrl(a: string, b: string): boolean {
  const norm = (s: string) => {
    try {
      const u = new URL(s);
      return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}${u.search}`;
    } catch {
      return s.trim().replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}
