// POST /api/reconcile (Bearer): runs one reconciliation now and answers with its summary. This is how
// `calsync reconcile --url` reaches a running server (which owns the embedded store).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CalsyncError } from '../../errors.js';
import { parseOrThrow } from '../validate.js';
import type { Reconciler } from '../../reconcile/reconciler.js';
import { parseSinceDate } from '../../reconcile/since.js';

const reconcileBody = z
  .object({
    since: z
      .string()
      .refine((s) => parseSinceDate(s) !== null, { error: 'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with an offset' })
      .optional(),
    /** Every booking, whatever the high-water mark (a manual full run); cannot go with `since`. */
    full: z.boolean().optional(),
  })
  .strict()
  .refine((b) => !(b.full === true && b.since !== undefined), { path: ['full'], error: 'cannot go with since' });

export async function reconcileRoutes(app: FastifyInstance, deps: { reconciler: Reconciler | null }): Promise<void> {
  app.post('/api/reconcile', async (request) => {
    if (!deps.reconciler) throw new CalsyncError('calcom_not_configured', 'CALCOM_API_KEY is not set: reconciliation reads bookings through the Cal.com API');
    const body = parseOrThrow(reconcileBody, request.body ?? {});
    const since = body.since === undefined ? undefined : (parseSinceDate(body.since) as string);
    const summary = await deps.reconciler.run(body.full === true ? { full: true } : since === undefined ? {} : { since });
    return { status: 'ok', ...summary };
  });
}
