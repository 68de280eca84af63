// Webhook subscriptions through API v2 (/v2/webhooks; no cal-api-version header, as Cal.com documents).
import type { CalcomApiClient } from './client.js';
import { calcomShapeError } from './translate-error.js';
import { describeIssues, webhookEnvelopeSchema, webhookListSchema, type ApiWebhook } from './schemas.js';

const WEBHOOKS_PAGE_SIZE = 250;
/** A user has a handful of webhooks; this only stops a misbehaving API from paging forever. */
const WEBHOOKS_MAX_PAGES = 40;

export interface WebhookInput {
  subscriberUrl: string;
  active: boolean;
  triggers: string[];
  secret?: string;
  /** Payload version; calsync reads 2021-10-20. */
  version?: string;
}

export async function listWebhooks(client: CalcomApiClient): Promise<ApiWebhook[]> {
  const what = 'listing webhooks';
  const all: ApiWebhook[] = [];
  for (let page = 0; page < WEBHOOKS_MAX_PAGES; page++) {
    const body = await client.request({ method: 'GET', path: '/v2/webhooks', query: { take: WEBHOOKS_PAGE_SIZE, skip: page * WEBHOOKS_PAGE_SIZE }, what });
    const parsed = webhookListSchema.safeParse(body);
    if (!parsed.success) throw calcomShapeError(what, describeIssues(parsed.error));
    all.push(...parsed.data.data);
    if (parsed.data.data.length < WEBHOOKS_PAGE_SIZE) break;
  }
  return all;
}

export async function createWebhook(client: CalcomApiClient, input: WebhookInput): Promise<ApiWebhook> {
  return oneWebhook(await client.request({ method: 'POST', path: '/v2/webhooks', body: input, what: 'creating the webhook' }), 'creating the webhook');
}

export async function updateWebhook(client: CalcomApiClient, id: string, patch: Partial<WebhookInput>): Promise<ApiWebhook> {
  const what = 'updating the webhook';
  return oneWebhook(await client.request({ method: 'PATCH', path: `/v2/webhooks/${encodeURIComponent(id)}`, body: patch, what }), what);
}

function oneWebhook(body: unknown, what: string): ApiWebhook {
  const parsed = webhookEnvelopeSchema.safeParse(body);
  if (!parsed.success) throw calcomShapeError(what, describeIssues(parsed.error));
  return parsed.data.data;
}
