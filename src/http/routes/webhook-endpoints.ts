// Outbound webhook endpoints (Bearer INTERNAL_API_KEY; CONTRACT "Outbound webhooks"):
//   POST   /api/webhook-endpoints              {url, description?} → 201 with the secret
//   GET    /api/webhook-endpoints              {endpoints: [...]}
//   GET    /api/webhook-endpoints/:id          one endpoint (and its messages by state)
//   GET    /api/webhook-endpoints/:id/secret   {secret}
//   PATCH  /api/webhook-endpoints/:id          {enabled?, url?, description?}
//   DELETE /api/webhook-endpoints/:id          204
//   POST   /api/webhook-endpoints/:id/resend   {since} → 202 once the messages are stored
// A bad URL (not http/https, or a private address without OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=true) is 422
// validation_error; an unknown id is 404 endpoint_not_found.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CalsyncError } from '../../errors.js';
import type { RoutePlugin } from '../../feature.js';
import { checkEndpointUrl } from '../../sinks/webhooks/address-guard.js';
import { changeEndpoint, createEndpoint, presentEndpoint, removeEndpoint, resendSince } from '../../sinks/webhooks/endpoints.js';
import { selectWebhookEndpoint, selectWebhookEndpoints } from '../../store/queries/webhook-endpoints.js';
import { countWebhookMessagesByState } from '../../store/queries/webhook-messages.js';
import { presentRows } from '../appointment-views.js';
import { parseOrThrow } from '../validate.js';

const MAX_URL_CHARS = 2_048;
const MAX_DESCRIPTION_CHARS = 500;

const urlField = z.string().trim().min(1).max(MAX_URL_CHARS);
const descriptionField = z.string().max(MAX_DESCRIPTION_CHARS).nullable();
const createBody = z.object({ url: urlField, description: descriptionField.optional() }).strict();
const patchBody = z
  .object({ enabled: z.boolean().optional(), url: urlField.optional(), description: descriptionField.optional() })
  .strict()
  .refine((b) => b.enabled !== undefined || b.url !== undefined || b.description !== undefined, 'give at least one of enabled, url, description');
const resendBody = z
  .object({
    since: z
      .string()
      .max(64)
      .refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s) && Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date or date-time')
      .transform((s) => new Date(s).toISOString()),
  })
  .strict();
/** Ids look like ep_ + base64url; anything else cannot exist, and is answered like an unknown id. */
const ID_PATTERN = /^ep_[A-Za-z0-9_-]{1,64}$/;

export interface WebhookEndpointRouteOptions {
  allowPrivate: boolean;
  /** Called when messages became due (enabled again, resend), so the sender looks at once. */
  onDue: () => void;
  now?: () => number;
}

export function webhookEndpointRoutes(options: WebhookEndpointRouteOptions): RoutePlugin {
  const now = options.now ?? Date.now;
  return async (api: FastifyInstance, deps) => {
    const store = deps.store;

    const idOf = (params: unknown): string => {
      const id = (params as { id?: unknown }).id;
      if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new CalsyncError('endpoint_not_found', 'No such webhook endpoint');
      return id;
    };
    const checkUrl = async (url: string) => {
      const problem = await checkEndpointUrl(url, options.allowPrivate);
      if (problem) throw new CalsyncError('validation_error', `Invalid url: ${problem.message}`, { issues: [{ path: 'url', message: problem.message }] });
    };
    const found = async (id: string) => {
      const row = await selectWebhookEndpoint(store.db, id);
      if (!row) throw new CalsyncError('endpoint_not_found', `No webhook endpoint ${id}`);
      return row;
    };

    api.post('/api/webhook-endpoints', async (request, reply) => {
      const body = parseOrThrow(createBody, request.body ?? {});
      await checkUrl(body.url);
      const row = await createEndpoint(store, { url: body.url, description: body.description ?? null }, now());
      deps.log.info({ endpoint_id: row.id }, 'webhook endpoint created');
      return reply.code(201).send({ id: row.id, url: row.url, description: row.description, secret: row.secret, enabled: true, created_at: row.created_at });
    });

    api.get('/api/webhook-endpoints', async () => {
      const rows = await selectWebhookEndpoints(store.db);
      return { endpoints: rows.map(presentEndpoint) };
    });

    api.get('/api/webhook-endpoints/:id', async (request) => {
      const row = await found(idOf(request.params));
      return { ...presentEndpoint(row), messages: await countWebhookMessagesByState(store.db, row.id) };
    });

    api.get('/api/webhook-endpoints/:id/secret', async (request) => {
      const row = await found(idOf(request.params));
      return { secret: row.secret };
    });

    api.patch('/api/webhook-endpoints/:id', async (request) => {
      const id = idOf(request.params);
      const body = parseOrThrow(patchBody, request.body ?? {});
      if (body.url !== undefined) await checkUrl(body.url);
      const changed = await changeEndpoint(store, id, body, now());
      if (!changed) throw new CalsyncError('endpoint_not_found', `No webhook endpoint ${id}`);
      if (changed.restarted > 0) options.onDue();
      deps.log.info({ endpoint_id: id, enabled: changed.row.enabled === 1, restarted: changed.restarted }, 'webhook endpoint changed');
      return presentEndpoint(changed.row);
    });

    api.delete('/api/webhook-endpoints/:id', async (request, reply) => {
      const id = idOf(request.params);
      if (!(await removeEndpoint(store, id))) throw new CalsyncError('endpoint_not_found', `No webhook endpoint ${id}`);
      deps.log.info({ endpoint_id: id }, 'webhook endpoint removed');
      return reply.code(204).send();
    });

    api.post('/api/webhook-endpoints/:id/resend', async (request, reply) => {
      const id = idOf(request.params);
      const body = parseOrThrow(resendBody, request.body ?? {});
      await found(id);
      const queued = await resendSince(store, id, body.since, (rows) => presentRows(store, rows), now());
      if (queued > 0) options.onDue();
      deps.log.info({ endpoint_id: id, since: body.since, messages: queued }, 'webhook resend queued');
      return reply.code(202).send({ status: 'accepted', endpoint_id: id, since: body.since, messages: queued });
    });
  };
}
