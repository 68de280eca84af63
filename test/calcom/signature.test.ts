import { describe, expect, it } from 'vitest';

import { signPayload, verifyCalSignature } from '../../src/calcom/signature.js';

// Vectors computed outside this code with:
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
// so the tests check against an independent HMAC implementation.
const BODY =
  '{"triggerEvent":"BOOKING_CREATED","createdAt":"2026-12-01T08:00:00.000Z","payload":{"uid":"8Kq2vQ1hXyZ3aBcDeFgHjK","title":"Intro call"}}';
const SECRET = 'whsec_test_secret_1';
const SECRET_2 = 'rotated-secret-2';
const SIG = '4732c4d0bd9bb82b6e913b2342c80d7cb0ae5826a2fa6e48f989a83f2433fd50';
const SIG_SECRET_2 = '94f17cfae1ea74a66b9efbc4d24cc04bb1ef8c20c6248a7e03139126e911a416';
/** The same document pretty-printed with two-space indentation (what a re-formatting proxy forwards). */
const PRETTY_BODY = JSON.stringify(JSON.parse(BODY), null, 2);
const SIG_OVER_PRETTY = 'e491536c633c0319224cd54cd1e48cfcbd7592bdb8625429664d0379c0778777';

const raw = Buffer.from(BODY, 'utf8');

describe('signPayload', () => {
  it.each([
    ['key', 'The quick brown fox jumps over the lazy dog', 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8'],
    ['k', '', '8bb990c40a7d61cb97597a942125025be50ac8beb74436e3735b98893a7f6620'],
    [SECRET, BODY, SIG],
    [SECRET_2, BODY, SIG_SECRET_2],
    [SECRET, PRETTY_BODY, SIG_OVER_PRETTY],
  ])('HMAC-SHA256(%j, …) matches openssl', (secret, body, hex) => {
    expect(signPayload(body, secret)).toBe(hex);
    expect(signPayload(Buffer.from(body, 'utf8'), secret)).toBe(hex);
  });
});

describe('verifyCalSignature accepts', () => {
  it('lowercase hex over the raw body (what Cal.com sends)', () => {
    expect(verifyCalSignature(raw, SIG, [SECRET])).toEqual({ ok: true, secretIndex: 0, variant: 'raw' });
  });

  it('a sha256= prefix', () => {
    expect(verifyCalSignature(raw, `sha256=${SIG}`, [SECRET])).toEqual({ ok: true, secretIndex: 0, variant: 'raw' });
  });

  it('uppercase hex (and an uppercase prefix)', () => {
    expect(verifyCalSignature(raw, SIG.toUpperCase(), [SECRET])).toMatchObject({ ok: true });
    expect(verifyCalSignature(raw, `SHA256=${SIG.toUpperCase()}`, [SECRET])).toMatchObject({ ok: true });
  });

  it('surrounding whitespace and a one-element header array', () => {
    expect(verifyCalSignature(raw, `  ${SIG}\t`, [SECRET])).toMatchObject({ ok: true });
    expect(verifyCalSignature(raw, [SIG], [SECRET])).toMatchObject({ ok: true });
  });

  it('a pretty-printed body whose signature is over the minified form', () => {
    expect(PRETTY_BODY).not.toBe(BODY);
    expect(verifyCalSignature(Buffer.from(PRETTY_BODY), SIG, [SECRET])).toEqual({
      ok: true,
      secretIndex: 0,
      variant: 'minified',
      signedBody: Buffer.from(BODY),
    });
  });

  it('a pretty-printed body signed as sent (raw wins over minified)', () => {
    expect(verifyCalSignature(Buffer.from(PRETTY_BODY), SIG_OVER_PRETTY, [SECRET])).toEqual({
      ok: true,
      secretIndex: 0,
      variant: 'raw',
    });
  });

  it('the second secret of a rotation list, reporting its index', () => {
    expect(verifyCalSignature(raw, SIG_SECRET_2, [SECRET, SECRET_2])).toEqual({
      ok: true,
      secretIndex: 1,
      variant: 'raw',
    });
    expect(verifyCalSignature(raw, SIG, [SECRET_2, 'other', SECRET])).toEqual({
      ok: true,
      secretIndex: 2,
      variant: 'raw',
    });
  });
});

describe('verifyCalSignature rejects (one mutation each)', () => {
  const flipped = Buffer.from(raw);
  flipped[10] = flipped[10]! ^ 0x01;

  it.each<[string, Buffer, string | string[] | undefined, readonly string[], string]>([
    ['a flipped body byte', flipped, SIG, [SECRET], 'mismatch'],
    ['a truncated signature', raw, SIG.slice(0, 63), [SECRET], 'malformed'],
    ['an extra character', raw, `${SIG}0`, [SECRET], 'malformed'],
    ['a flipped signature character', raw, `${SIG.slice(0, -1)}1`, [SECRET], 'mismatch'],
    ['the wrong secret', raw, SIG, ['not-the-secret'], 'mismatch'],
    ['an empty header', raw, '', [SECRET], 'missing'],
    ['a blank header', raw, '   ', [SECRET], 'missing'],
    ['a missing header', raw, undefined, [SECRET], 'missing'],
    ['an empty header array', raw, [], [SECRET], 'missing'],
    ['two header values', raw, [SIG, SIG], [SECRET], 'malformed'],
    ['no-secret-provided', raw, 'no-secret-provided', [SECRET], 'no_secret_provided'],
    ['non-hex characters', raw, `${SIG.slice(0, 63)}g`, [SECRET], 'malformed'],
    ['a prefix with nothing after it', raw, 'sha256=', [SECRET], 'malformed'],
    ['a different prefix', raw, `sha1=${SIG}`, [SECRET], 'malformed'],
    ['an empty secrets list', raw, SIG, [], 'mismatch'],
    ['only blank secrets (an empty key is forgeable)', raw, signPayload(BODY, ''), [''], 'mismatch'],
    ['a body that is not JSON and does not match', Buffer.from('not json'), SIG, [SECRET], 'mismatch'],
  ])('%s', (_name, body, header, secrets, reason) => {
    expect(verifyCalSignature(body, header, secrets)).toEqual({ ok: false, reason });
  });

  it('a minified-form signature made with the wrong secret', () => {
    const sig = signPayload(BODY, 'not-the-secret');
    expect(verifyCalSignature(Buffer.from(PRETTY_BODY), sig, [SECRET])).toEqual({ ok: false, reason: 'mismatch' });
  });
});
