// What CALCOM_API_KEY adds: POST /api/appointments (books through Cal.com), POST /api/reconcile, and the
// periodic reconcile worker. Without the key the routes still exist and answer 503 calcom_not_configured,
// and no worker runs.
import { calcomClientFor } from '../calcom/api/configured-client.js';
import type { Config } from '../config.js';
import type { Feature } from '../feature.js';
import { createAppointmentRoutes } from '../http/routes/create-appointment.js';
import { reconcileRoutes } from '../http/routes/reconcile.js';
import { Reconciler } from '../reconcile/reconciler.js';
import { ReconcileWorker } from '../reconcile/worker.js';

export function calcomApiFeature(config: Config): Feature {
  // One Reconciler per app, shared by the route and the worker so runs never overlap within the process.
  let reconciler: Reconciler | null = null;
  let client: ReturnType<typeof calcomClientFor> = null;
  return {
    name: 'calcom-api',
    async prepare({ store, intake, log }) {
      client = calcomClientFor(config, log);
      if (client) reconciler = new Reconciler({ store, client, intake, log });
    },
    routes: ({ store, intake }) => ({
      api: [
        (api) => createAppointmentRoutes(api, { store, intake, calcom: client }),
        (api) => reconcileRoutes(api, { reconciler }),
      ],
    }),
    workers({ log }) {
      if (!reconciler || config.reconcileIntervalMs <= 0) return [];
      return [new ReconcileWorker(reconciler, config.reconcileIntervalMs, log)];
    },
  };
}
