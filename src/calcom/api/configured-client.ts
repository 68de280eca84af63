// The Cal.com API v2 client the configuration asks for: one when CALCOM_API_KEY is set, else none.
import type { Config } from '../../config.js';
import type { Logger } from 'pino';
import { CalcomApiClient } from './client.js';

export function calcomClientFor(config: Config, log?: Logger): CalcomApiClient | null {
  const { apiKey, apiUrl } = config.calcom;
  return apiKey ? new CalcomApiClient({ apiKey, apiUrl, ...(log ? { log } : {}) }) : null;
}
