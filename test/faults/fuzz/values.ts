// Hostile values for the fuzzer: wrong types, unicode that breaks naive storage (NUL, lone surrogates,
// bidi controls), edge numbers, huge strings and deep nesting. Some cannot exist as JS values before
// serialisation (a 20,000-deep array overflows JSON.stringify; 1e400 is not a JS number), so they travel as
// marker strings that `expandMarkers` swaps for raw JSON text after JSON.stringify.
import fc from 'fast-check';

const MARKER_PREFIX = '__FUZZ_RAW_';
const MARKER_RE = /"__FUZZ_RAW_(\d+)__"/g;

/** Raw JSON fragments that a marker stands for; indexed by the marker's number. */
export class RawFragments {
  private readonly fragments: string[] = [];

  marker(rawJson: string): string {
    this.fragments.push(rawJson);
    return `${MARKER_PREFIX}${this.fragments.length - 1}__`;
  }

  /** Replaces every serialised marker (a JSON string) with its raw fragment. */
  expandMarkers(serialised: string): string {
    return serialised.replace(MARKER_RE, (whole, n: string) => this.fragments[Number(n)] ?? whole);
  }
}

/** A value description; `materialise` turns it into a JS value (or a marker) for one body. */
export type FuzzValue =
  | { kind: 'json'; value: unknown }
  | { kind: 'huge'; chars: number; fill: string }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object' }
  | { kind: 'rawNumber'; text: string };

export const MAX_BODY_BYTES = 1024 * 1024;

const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202eevil\u202c',
  '\u200b\u200d\ufeff',
  '😀👩‍👩‍👧‍👦🏳️‍🌈',
  'Zoë Ğüñeş 山田太郎 مريم',
  '<script>alert(1)</script>',
  "'; drop table events; --",
  '{"nested":"json in a string"}',
  '2031-13-45T25:61:00Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  'not-a-date',
  'null',
  'undefined',
  'NaN',
  '0x10',
  '  padded@example.com  ',
  'a@b',
  '@',
  '\\',
  '"',
];

const EDGE_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 2, Number.MIN_VALUE, [], {}, [null], { '': '' }, { __proto__: null }];

const RAW_NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '0.1e-400', '-0', '1.0000000000000001', '1E2', '0.0'];

export const fuzzValue: fc.Arbitrary<FuzzValue> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: 'json', value }) as const) },
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_STRINGS, ...EDGE_VALUES).map((value) => ({ kind: 'json', value }) as const) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((value) => ({ kind: 'json', value }) as const) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((value) => ({ kind: 'json', value }) as const) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        chars: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1_000, max: 60_000 }) }, { weight: 1, arbitrary: fc.integer({ min: MAX_BODY_BYTES - 2_000, max: MAX_BODY_BYTES + 4_000 }) }),
        fill: fc.constantFrom('x', 'é', '😀', '\\', '"', '\u0000'),
      })
      .map(({ chars, fill }) => ({ kind: 'huge', chars, fill }) as const),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ depth: fc.oneof(fc.integer({ min: 50, max: 2_000 }), fc.integer({ min: 5_000, max: 60_000 })), shape: fc.constantFrom('array' as const, 'object' as const) })
      .map(({ depth, shape }) => ({ kind: 'deep', depth, shape }) as const),
  },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_NUMBERS).map((text) => ({ kind: 'rawNumber', text }) as const) },
);

/** A JS value for `v`; values with no JS form become markers registered in `raw`. */
export function materialise(v: FuzzValue, raw: RawFragments): unknown {
  switch (v.kind) {
    case 'json':
      return structuredClone(v.value);
    case 'huge':
      // Counted in UTF-16 units of the fill; the serialised size is what the 1 MiB limit sees.
      return v.fill.repeat(Math.max(1, Math.floor(v.chars / v.fill.length)));
    case 'deep':
      return raw.marker(v.shape === 'array' ? '['.repeat(v.depth) + ']'.repeat(v.depth) : '{"a":'.repeat(v.depth) + '1' + '}'.repeat(v.depth));
    case 'rawNumber':
      return raw.marker(v.text);
  }
}

export function describeValue(v: FuzzValue): string {
  switch (v.kind) {
    case 'json': {
      const text = JSON.stringify(v.value) ?? String(v.value);
      return text.length > 60 ? text.slice(0, 60) + '…' : text;
    }
    case 'huge':
      return `huge(${v.chars}×${JSON.stringify(v.fill)})`;
    case 'deep':
      return `deep(${v.shape},${v.depth})`;
    case 'rawNumber':
      return `raw(${v.text})`;
  }
}

/** Visible ASCII only: what any HTTP client can put in a header value. */
export const headerText = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
