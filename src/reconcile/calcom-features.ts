// What a configured CALCOM_API_KEY adds to the app, built in one place for compose.ts: the API client,
// POST /api/appointments and POST /api/reconcile (bearer-protected), and the periodic reconcile worker.
// Without the key the routes still exist and answer 503 calcom_not_configured, and no worker runs.
import type { Logger } from 'pino';
import type { Worker } from '../app.js';
import { CalcomApiClient } from '../calcom/api/client.js';
import type { Config } from '../config.js';
import { createAppointmentRoutes } from '../http/routes/create-appointment.js';
import type { ApiPlugin } from '../http/server.js';
import { Reconciler } from './reconciler.js';
import { reconcileRoutes } from './route.js';
import { ReconcileWorker } from './worker.js';

export interface CalcomFeatures {
  apiPlugin: ApiPlugin;
  /** The periodic worker, when RECONCILE_INTERVAL_MINUTES > 0 and CALCOM_API_KEY is set. */
  workers(): Worker[];
}

export function calcomClientFor(config: Config, log?: Logger): CalcomApiClient | null {
  const { apiKey, apiUrl } = config.calcom;
  return apiKey ? new CalcomApiClient({ apiKey, apiUrl, ...(log ? { log } : {}) }) : null;
}

export function calcomFeatures(config: Config, log: Logger): CalcomFeatures {
  const client = calcomClientFor(config, log);
  // Built when the server hands its store and intake to the API plugin. createApp builds the server before
  // it asks for the workers, so the worker factory below always finds it.
  let reconciler: Reconciler | null = null;
  return {
    apiPlugin: async (api, deps) => {
      if (client) reconciler = new Reconciler({ store: deps.store, client, intake: deps.intake, log: deps.log });
      await createAppointmentRoutes(api, { store: deps.store, intake: deps.intake, calcom: client });
      await reconcileRoutes(api, { reconciler });
    },
    workers() {
      if (!reconciler || config.reconcileIntervalMs <= 0) return [];
      return [new ReconcileWorker(reconciler, config.reconcileIntervalMs, log)];
    },
  };
}
