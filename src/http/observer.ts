// What the HTTP layer reports about intake, so metrics (and tests) can watch it without the routes
// knowing about prom-client.
import type { IntakeOutcome } from '../intake/record-event.js';

export interface IntakeObserver {
  signatureFailed(reason: string): void;
  accepted(trigger: string, outcome: IntakeOutcome, durationMs: number): void;
  rejected(trigger: string | null, code: string): void;
}

export const NO_OBSERVER: IntakeObserver = {
  signatureFailed() {},
  accepted() {},
  rejected() {},
};
