// Registered webhooks (POST/GET/PATCH/DELETE /v2/webhooks), owned by the API key's user.

import { makeUuid } from '../../../src/calcom/samples.js';
import { notFound } from './http.js';
import type { WebhookInput } from './validation.js';

export interface StoredWebhook {
  id: string;
  userId: number;
  subscriberUrl: string;
  triggers: string[];
  active: boolean;
  payloadTemplate: string | null;
  version: string;
  secret?: string;
  time?: number;
  timeUnit?: string;
}

export class WebhookStore {
  readonly webhooks: StoredWebhook[] = [];

  constructor(private readonly userId: number) {}

  reset(): void {
    this.webhooks.length = 0;
  }

  add(input: WebhookInput): StoredWebhook {
    const hook: StoredWebhook = {
      id: makeUuid(),
      userId: this.userId,
      subscriberUrl: input.subscriberUrl,
      // Duplicates are kept: Cal.com's API accepts them (issue #13079).
      triggers: [...input.triggers],
      active: input.active,
      payloadTemplate: input.payloadTemplate ?? null,
      version: input.version ?? '2021-10-20',
      ...(input.secret !== undefined ? { secret: input.secret } : {}),
      ...(input.time !== undefined ? { time: input.time, timeUnit: input.timeUnit } : {}),
    };
    this.webhooks.push(hook);
    return hook;
  }

  get(id: string): StoredWebhook {
    const hook = this.webhooks.find((w) => w.id === id);
    if (!hook) throw notFound(`Webhook with id=${id} not found`);
    return hook;
  }

  update(id: string, patch: Partial<WebhookInput>): StoredWebhook {
    const hook = this.get(id);
    if (patch.subscriberUrl !== undefined) hook.subscriberUrl = patch.subscriberUrl;
    if (patch.active !== undefined) hook.active = patch.active;
    if (patch.triggers !== undefined) hook.triggers = [...patch.triggers];
    if (patch.secret !== undefined) hook.secret = patch.secret;
    if (patch.payloadTemplate !== undefined) hook.payloadTemplate = patch.payloadTemplate;
    if (patch.version !== undefined) hook.version = patch.version;
    if (patch.time !== undefined) hook.time = patch.time;
    if (patch.timeUnit !== undefined) hook.timeUnit = patch.timeUnit;
    return hook;
  }

  remove(id: string): StoredWebhook {
    const hook = this.get(id);
    this.webhooks.splice(this.webhooks.indexOf(hook), 1);
    return hook;
  }
}
