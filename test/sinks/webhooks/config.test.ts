// OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: off by default, `true` turns it on, anything else stops start-up with one
// line naming the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

describe('OUTBOUND_WEBHOOKS_ALLOW_PRIVATE', () => {
  it('is off by default and on with true', () => {
    expect(loadConfig({}).outboundWebhooksAllowPrivate).toBe(false);
    expect(loadConfig({ OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'true' }).outboundWebhooksAllowPrivate).toBe(true);
    expect(loadConfig({ OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'false' }).outboundWebhooksAllowPrivate).toBe(false);
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => loadConfig({ OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'sometimes' })).toThrow(ConfigError);
    expect(() => loadConfig({ OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'sometimes' })).toThrow(/^OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: must be true or false/);
  });
});
