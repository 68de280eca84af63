// Operating calsync: the event log API (/api/events), sink resync (/api/sinks/:sink/resync), the /admin
// page and GET /metrics.
import type { Feature } from '../feature.js';
import { adminRoutes } from '../http/routes/admin.js';
import { eventLogRoutes } from '../http/routes/events.js';
import { metricsRoutes } from '../http/routes/metrics.js';
import { sinkRoutes } from '../http/routes/sinks.js';

export function operationsFeature(): Feature {
  return {
    name: 'operations',
    routes: ({ metrics, sinks }) => ({
      api: [eventLogRoutes, sinkRoutes({ enabled: sinks })],
      root: [adminRoutes, metricsRoutes(metrics)],
    }),
  };
}
