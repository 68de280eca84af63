// What the ways into intake report (signature failures, accepted and refused events), so metrics (and
// tests) can watch intake without the routes knowing about prom-client.
import type { IntakeOutcome } from './record-event.js';

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
