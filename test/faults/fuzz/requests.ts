// Whole fuzz requests: bytes, headers, path, and whether the request is authentic by construction (its
// signature header is one the contract promises to accept for these bytes and the server's secret). The
// verdict is derived from how the case was built, never by calling calsync's own verifier.
import fc from 'fast-check';
import { signCalcomBody } from '../../../src/calcom/samples.js';
import { bodySpec, buildBase, describeBody, renderBody, type BodySpec } from './bodies.js';
import { headerText, MAX_BODY_BYTES } from './values.js';

export const WEBHOOK_PATHS = ['/webhooks/calcom', '/api/cal/handle-cal-event'] as const;

export interface FuzzRequest {
  label: string;
  path: string;
  raw: Buffer;
  /** Header name → value; an array is the same header sent several times. */
  headers: Record<string, string | string[]>;
  /** Signed as the contract accepts (exact bytes, or the compact re-serialisation), with the server's secret. */
  authentic: boolean;
  /** One plain JSON Content-Type and at most 1 MiB: a refusal of such a request can only be about its signature or body. */
  plainEnvelope: boolean;
}

/** How the X-Cal-Signature-256 header is formed; `valid` says whether the contract accepts it. */
export type SignatureForm =
  | { kind: 'exact' }
  | { kind: 'uppercase' }
  | { kind: 'prefixed'; prefix: 'sha256=' | 'SHA256=' | 'Sha256=' }
  | { kind: 'padded'; left: string; right: string }
  | { kind: 'wrongSecret'; secret: string }
  | { kind: 'flippedHex'; at: number; by: number }
  | { kind: 'truncated'; keep: number }
  | { kind: 'extended'; extra: string }
  | { kind: 'otherPrefix'; prefix: string }
  | { kind: 'empty' }
  | { kind: 'absent' }
  | { kind: 'noSecretLiteral' }
  | { kind: 'garbage'; text: string }
  | { kind: 'duplicateHeader'; second: 'same' | 'wrong' }
  | { kind: 'overOtherBytes' };

const VALID_FORMS = new Set<SignatureForm['kind']>(['exact', 'uppercase', 'prefixed', 'padded']);

export const signatureForm: fc.Arbitrary<SignatureForm> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'exact' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'uppercase' } as const) },
  { weight: 1, arbitrary: fc.constantFrom('sha256=' as const, 'SHA256=' as const, 'Sha256=' as const).map((prefix) => ({ kind: 'prefixed', prefix }) as const) },
  { weight: 1, arbitrary: fc.record({ left: fc.constantFrom('', ' ', '  ', '\t'), right: fc.constantFrom('', ' ', '\t ') }).map((m) => ({ kind: 'padded', ...m }) as const) },
  { weight: 2, arbitrary: fc.string({ minLength: 0, maxLength: 30 }).map((secret) => ({ kind: 'wrongSecret', secret: `x${secret}` }) as const) },
  { weight: 3, arbitrary: fc.record({ at: fc.nat(63), by: fc.integer({ min: 1, max: 15 }) }).map((m) => ({ kind: 'flippedHex', ...m }) as const) },
  { weight: 1, arbitrary: fc.nat(63).map((keep) => ({ kind: 'truncated', keep }) as const) },
  { weight: 1, arbitrary: headerText(8).filter((s) => s.trim().length > 0).map((extra) => ({ kind: 'extended', extra }) as const) },
  { weight: 1, arbitrary: fc.constantFrom('sha1=', 'sha512=', 'v1,', 'sha256:', 'sha256 ', '=').map((prefix) => ({ kind: 'otherPrefix', prefix }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'absent' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'noSecretLiteral' } as const) },
  { weight: 1, arbitrary: headerText(80).map((text) => ({ kind: 'garbage', text }) as const) },
  { weight: 1, arbitrary: fc.constantFrom('same' as const, 'wrong' as const).map((second) => ({ kind: 'duplicateHeader', second }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'overOtherBytes' } as const) },
);

export function isValidForm(form: SignatureForm): boolean {
  return VALID_FORMS.has(form.kind);
}

const HEX = '0123456789abcdef';

/** The signature header value(s) for `signedBytes` in `form`; undefined means no header. */
export function signatureHeader(signedBytes: Buffer, secret: string, form: SignatureForm): string | string[] | undefined {
  const good = signCalcomBody(signedBytes, secret);
  switch (form.kind) {
    case 'exact':
      return good;
    case 'uppercase':
      return good.toUpperCase();
    case 'prefixed':
      return form.prefix + good;
    case 'padded':
      return form.left + good + form.right;
    case 'wrongSecret':
      return signCalcomBody(signedBytes, secret + form.secret);
    case 'flippedHex': {
      const c = good[form.at] as string;
      const flipped = HEX[(HEX.indexOf(c) + form.by) % 16] as string;
      return good.slice(0, form.at) + flipped + good.slice(form.at + 1);
    }
    case 'truncated':
      return good.slice(0, form.keep);
    case 'extended':
      return good + form.extra;
    case 'otherPrefix':
      return form.prefix + good;
    case 'empty':
      return '';
    case 'absent':
      return undefined;
    case 'noSecretLiteral':
      return 'no-secret-provided';
    case 'garbage':
      return form.text;
    case 'duplicateHeader':
      return [good, form.second === 'same' ? good : signCalcomBody(signedBytes, secret + '!')];
    case 'overOtherBytes':
      return signCalcomBody(Buffer.concat([signedBytes, Buffer.from(' ')]), secret);
  }
}

const JSON_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'Application/Json;charset=UTF-8', 'application/vnd.cal+json', 'application/json-patch+json'];
const CONTENT_TYPES = [
  ...JSON_CONTENT_TYPES,
  'application/jsonx',
  'text/json',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  '*/*',
  'application/',
  ';',
  '',
];

export type ContentTypeForm = { kind: 'absent' } | { kind: 'value'; value: string } | { kind: 'twice'; values: [string, string] };

export const contentTypeForm: fc.Arbitrary<ContentTypeForm> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'absent' } as const) },
  // A third carry a JSON type, so that many requests also reach the signature and body checks behind it.
  { weight: 3, arbitrary: fc.constantFrom(...JSON_CONTENT_TYPES).map((value) => ({ kind: 'value', value }) as const) },
  { weight: 4, arbitrary: fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerText(40)).map((value) => ({ kind: 'value', value }) as const) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...CONTENT_TYPES), fc.constantFrom(...CONTENT_TYPES)).map((values) => ({ kind: 'twice', values }) as const) },
);

export interface HeaderNoise {
  contentType: ContentTypeForm;
  /** Letters of the signature header's name upper-cased where true (HTTP header names are case-insensitive). */
  signatureNameCase: boolean[];
  extra: [string, string][];
  path: number;
  query: string;
}

const extraHeader = fc.oneof(
  fc.tuple(fc.constantFrom('x-cal-webhook-version', 'x-request-id', 'user-agent', 'accept', 'content-encoding', 'x-forwarded-for', 'origin', 'cookie', 'authorization'), headerText(60)),
  fc.tuple(fc.constantFrom('content-encoding'), fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-garbage')),
  fc.tuple(fc.constantFrom('x-request-id'), fc.nat(300).map((n) => 'r'.repeat(n))),
);

export const headerNoise: fc.Arbitrary<HeaderNoise> = fc.record({
  contentType: contentTypeForm,
  signatureNameCase: fc.array(fc.boolean(), { minLength: 19, maxLength: 19 }),
  extra: fc.array(extraHeader, { maxLength: 3 }),
  path: fc.nat(WEBHOOK_PATHS.length - 1),
  query: fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: headerText(20).map((q) => '?' + encodeURIComponent(q)) }),
});

export const PLAIN_HEADERS: HeaderNoise = {
  contentType: { kind: 'value', value: 'application/json' },
  signatureNameCase: [],
  extra: [],
  path: 0,
  query: '',
};

function signatureHeaderName(upper: boolean[]): string {
  return [...'x-cal-signature-256'].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join('');
}

/** Assembles one request; `signedBytes` is what the signature covers (differs from `raw` for the minified variant). */
export function assemble(label: string, raw: Buffer, signedBytes: Buffer, secret: string, form: SignatureForm, noise: HeaderNoise): FuzzRequest {
  const headers: Record<string, string | string[]> = {};
  if (noise.contentType.kind === 'value') headers['content-type'] = noise.contentType.value;
  if (noise.contentType.kind === 'twice') headers['content-type'] = [...noise.contentType.values];
  const sig = signatureHeader(signedBytes, secret, form);
  if (sig !== undefined) headers[signatureHeaderName(noise.signatureNameCase)] = sig;
  for (const [name, value] of noise.extra) {
    // Extra noise never replaces the two headers under test.
    if (name in headers) continue;
    headers[name] = value;
  }
  const path = (WEBHOOK_PATHS[noise.path] ?? WEBHOOK_PATHS[0]) + noise.query;
  const plainEnvelope = noise.contentType.kind === 'value' && JSON_CONTENT_TYPES.includes(noise.contentType.value) && raw.length <= MAX_BODY_BYTES;
  const request: FuzzRequest = { label: `${label} sig:${form.kind} ct:${JSON.stringify(headers['content-type'] ?? null)}`, path, raw, headers, authentic: isValidForm(form), plainEnvelope };
  // fast-check prints counterexamples with this: the description, not a megabyte of bytes.
  Object.defineProperty(request, fc.toStringMethod, { value: () => `${request.label} → POST ${path} (${raw.length} bytes)`, enumerable: false });
  return request;
}

/** Property 1: mutated bodies, correctly signed over their exact bytes, ordinary headers. */
export const mutatedBodyRequest = (secret: string): fc.Arbitrary<FuzzRequest> =>
  bodySpec.map((spec: BodySpec) => {
    const raw = renderBody(spec);
    return assemble(describeBody(spec), raw, raw, secret, { kind: 'exact' }, PLAIN_HEADERS);
  });

/** Property 2: realistic (a quarter of them mutated) bodies with hostile headers around a correct signature. */
export const mutatedHeadersRequest = (secret: string): fc.Arbitrary<FuzzRequest> =>
  fc.record({ spec: bodySpec, mutate: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), noise: headerNoise, form: fc.constantFrom<SignatureForm>({ kind: 'exact' }, { kind: 'padded', left: ' ', right: ' ' }, { kind: 'duplicateHeader', second: 'same' }) }).map(
    ({ spec, mutate, noise, form }) => {
      const plain: BodySpec = mutate ? spec : { ...spec, mutations: [], bytes: { kind: 'none' } };
      const raw = renderBody(plain);
      return assemble(describeBody(plain), raw, raw, secret, form, noise);
    },
  );

/**
 * Property 3: every signature form over realistic bodies, including the contract's minified variant (sent
 * pretty-printed, signed over the compact JSON that Cal.com would have sent), and over mutated bodies (a
 * wrong signature over a hostile body must still be a plain 401: the minified retry parses that body).
 */
export const mutatedSignatureRequest = (secret: string): fc.Arbitrary<FuzzRequest> =>
  fc
    .record({ spec: bodySpec, form: signatureForm, shape: fc.constantFrom('compact' as const, 'pretty' as const, 'mutated' as const, 'empty' as const) })
    .map(({ spec, form, shape }) => {
      if (shape === 'mutated') {
        const raw = renderBody(spec);
        return assemble(describeBody(spec), raw, raw, secret, form, PLAIN_HEADERS);
      }
      const body = buildBase(spec.base);
      const compact = Buffer.from(JSON.stringify(body), 'utf8');
      const raw = shape === 'empty' ? Buffer.alloc(0) : shape === 'pretty' ? Buffer.from(JSON.stringify(body, null, 2), 'utf8') : compact;
      return assemble(`${spec.base.trigger}(uid ${spec.base.uid}) ${shape}`, raw, shape === 'empty' ? raw : compact, secret, form, PLAIN_HEADERS);
    });
