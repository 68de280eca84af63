// POST /api/sinks/:sink/resync {"since"?: ISO 8601} (Bearer INTERNAL_API_KEY): marks appointments for
// re-mirroring by one sink (src/sinks/resync.ts), e.g. after pages were edited or deleted by hand. Answers
// 202 with how many were marked; the sink's worker (on whichever instance leads it) does the work.
// An unknown sink is 404 sink_not_found; a registered one that is off here is 503 sink_not_configured.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CalsyncError } from '../../errors.js';
import type { RouteDeps } from '../../feature.js';
import { parseSinceDate } from '../../reconcile/since.js';
import { isRegisteredSink } from '../../sinks/registry.js';
import { resyncSink } from '../../sinks/resync.js';
import { parseOrThrow } from '../validate.js';

export const SINK_RESYNC_PATH = '/api/sinks/:sink/resync';

const params = z.object({ sink: z.string().min(1).max(50) });
const body = z
  .object({
    since: z
      .string()
      .max(64)
      .refine((s) => parseSinceDate(s) !== null, 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with an offset')
      .transform((s) => parseSinceDate(s) as string)
      .optional(),
  })
  .strict();

export interface SinkRoutesOptions {
  /** The sinks this app mirrors to (the features' registered sinks). */
  enabled: readonly string[];
  /** Called after a resync marked work, so a local worker looks at once. */
  onResync?: (sink: string) => void;
}

export function sinkRoutes(options: SinkRoutesOptions) {
  return async function registerSinkRoutes(api: FastifyInstance, deps: Pick<RouteDeps, 'store'>): Promise<void> {
    api.post(SINK_RESYNC_PATH, async (request, reply) => {
      const { sink } = parseOrThrow(params, request.params);
      if (!isRegisteredSink(sink)) throw new CalsyncError('sink_not_found', `No sink named "${sink.slice(0, 50)}"`);
      if (!options.enabled.includes(sink)) throw new CalsyncError('sink_not_configured', `The ${sink} sink is not switched on in this configuration`);
      const { since } = parseOrThrow(body, request.body ?? {});
      const result = await resyncSink(deps.store, sink, since ?? null);
      request.log.info({ sink, since: since ?? null, ...result }, 'sink resync requested');
      options.onResync?.(sink);
      return reply.code(202).send({ sink, since: since ?? null, marked: result.marked + result.added });
    });
  };
}
