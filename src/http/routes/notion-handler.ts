// POST /api/notion/notion-handler (Bearer INTERNAL_API_KEY): applies one booking event to the store, and
// so to Notion, for people who drive calsync from their own code. The body is either a Cal.com webhook body
// ({triggerEvent, payload}, unsigned: the bearer key authenticates it) or the small normalised shape of
// src/intake/handler-event.ts. The event goes through intake like a webhook (source "api"): deduped,
// folded into its appointment, and the Notion worker writes the page. `?wait=true` answers once the page
// shows the result (or after NOTION_HANDLER_MAX_WAIT_MS), with the sync state either way.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CalsyncError } from '../../errors.js';
import { incomingEvent, readDelivery } from '../../intake/incoming.js';
import type { IncomingEvent } from '../../intake/record-event.js';
import { handlerEventSchema, toDomainEvent } from '../../intake/handler-event.js';
import { NOTION_SINK } from '../../sinks/registry.js';
import { selectSinkStates } from '../../store/queries/sinks.js';
import type { Store } from '../../store/store.js';
import type { ServerDeps } from '../server.js';
import { intakeResponse, intakeStatusCode } from '../intake-response.js';
import { parseOrThrow } from '../validate.js';

export const NOTION_HANDLER_PATH = '/api/notion/notion-handler';
export const NOTION_HANDLER_MAX_WAIT_MS = 15_000;
const WAIT_POLL_MS = 100;

export interface NotionHandlerOptions {
  /** False when Notion is not configured: the route answers 503 notion_not_configured. */
  enabled: boolean;
}

const querySchema = z.object({ wait: z.enum(['true', 'false', '1', '0']).optional() });

export function notionHandlerRoutes(options: NotionHandlerOptions) {
  return async function registerNotionHandler(api: FastifyInstance, deps: Pick<ServerDeps, 'intake' | 'store'>): Promise<void> {
    const { intake, store } = deps;
    api.post(NOTION_HANDLER_PATH, async (request, reply) => {
      if (!options.enabled) throw new CalsyncError('notion_not_configured', 'The Notion mirror is off: set NOTION_TOKEN and the two Notion database ids');
      const query = parseOrThrow(querySchema, request.query);
      const incoming = toIncoming(request.body);
      const outcome = await intake.submit(incoming);
      request.log.info({ trigger: incoming.trigger, uid: incoming.bookingUid, result: outcome.status, duplicate: outcome.duplicate }, 'notion-handler');
      if (outcome.status === 'parked') return reply.code(intakeStatusCode(outcome)).send(intakeResponse(outcome));
      const wait = query.wait === 'true' || query.wait === '1';
      const notion = outcome.appointmentId === null ? null : await notionState(store, outcome.appointmentId, wait);
      return reply.code(200).send({ ...intakeResponse(outcome), notion });
    });
  };
}

function toIncoming(body: unknown): IncomingEvent {
  const origin = { source: 'api' as const, rawBody: JSON.stringify(body ?? null), headers: { 'content-type': 'application/json', via: 'notion-handler' } };
  if (typeof body === 'object' && body !== null && 'triggerEvent' in body) return incomingEvent(readDelivery(body), origin);
  const normalised = toDomainEvent(parseOrThrow(handlerEventSchema, body));
  return incomingEvent({ trigger: normalised.trigger, dedupKey: normalised.dedupKey, bookingUid: normalised.event.booking.uid, event: normalised.event }, origin);
}

interface NotionStateView {
  state: string;
  page_id: string | null;
  last_error: string | null;
  attempts: number;
}

/** The appointment's Notion sync state; with `wait`, once it settles (synced or failed) or the wait runs out. */
async function notionState(store: Store, appointmentId: number, wait: boolean): Promise<NotionStateView | null> {
  const deadline = Date.now() + (wait ? NOTION_HANDLER_MAX_WAIT_MS : 0);
  for (;;) {
    const [row] = (await selectSinkStates(store.db, [appointmentId])).filter((s) => s.sink === NOTION_SINK);
    const view = row ? { state: row.state, page_id: row.external_id, last_error: row.last_error, attempts: row.attempts } : null;
    if (!wait || !row || row.state === 'synced' || row.state === 'failed' || Date.now() >= deadline) return view;
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}
