// Which endpoint addresses are refused without OUTBOUND_WEBHOOKS_ALLOW_PRIVATE, and the signer against the
// reference verifier with a fixed vector.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { checkEndpointUrl, isPrivateAddress } from '../../../src/sinks/webhooks/address-guard.js';
import { generateSecret, signMessage } from '../../../src/sinks/webhooks/signer.js';

describe('address guard', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::7f00:1', '224.0.0.1',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('accepts %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('checks URLs at creation', async () => {
    expect(await checkEndpointUrl('ftp://example.com/', true)).toMatchObject({ field: 'url' });
    expect(await checkEndpointUrl('http://127.0.0.1:8080/hook', false)).toMatchObject({ field: 'url' });
    expect(await checkEndpointUrl('http://localhost/hook', false)).toMatchObject({ field: 'url' });
    expect(await checkEndpointUrl('http://[::1]/hook', false)).toMatchObject({ field: 'url' });
    expect(await checkEndpointUrl('http://[::ffff:192.168.0.1]/hook', false)).toMatchObject({ field: 'url' });
    expect(await checkEndpointUrl('http://127.0.0.1:8080/hook', true)).toBeNull();
    expect(await checkEndpointUrl('https://93.184.216.34/hook', false)).toBeNull();
  });
});

describe('signer', () => {
  it('matches a fixed vector and the reference verifier', () => {
    // The Standard Webhooks specification's example secret.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    const signature = signMessage(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body);
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    const fresh = generateSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_x', 'webhook-timestamp': String(now), 'webhook-signature': signMessage(fresh, 'msg_x', now, body) };
    expect(new Webhook(fresh).verify(body, headers)).toEqual({ test: 2432232314 });
    expect(() => new Webhook(fresh).verify(body, { ...headers, 'webhook-id': 'msg_y' })).toThrow();
    expect(() => new Webhook(fresh).verify(body, { ...headers, 'webhook-timestamp': String(now + 1) })).toThrow();
    expect(() => new Webhook(fresh).verify(`${body} `, headers)).toThrow();
  });
});
