// Text built to make pattern matching slow: long runs of what an email, phone, token or bearer pattern
// would start on, without the ending that completes a match (so a backtracking matcher retries from every
// position). Used against the log scrubber, the logger and every field of the real server that reaches a
// log line or a query.

/** name → text of about `chars` characters. */
export function adversarialTexts(chars: number): Record<string, string> {
  const fill = (unit: string, prefix = '', suffix = '') => prefix + unit.repeat(Math.max(1, Math.floor((chars - prefix.length - suffix.length) / unit.length))) + suffix;
  return {
    letters: fill('a'),
    // An email's local part that never reaches an @.
    'local-part run': fill('a.b_c%d+e-'),
    'at-heavy': fill('a@'),
    'at-run': fill('@'),
    'dot-heavy': fill('a.'),
    // A local part, an @, then a domain of labels without a top-level domain.
    'domain without tld': fill('a.', 'x@', '1'),
    // A dotted domain followed by more text: a pattern ending in `\.[^\s@]+$` retries from every dot.
    'dotted domain then text': fill('a.', 'x@', ' y'),
    'many short addresses without tld': fill('a@b.c '),
    digits: fill('1'),
    'phone without end': fill(' ', '+1', ')'),
    'phone-ish': fill('+1 (2'),
    'bearer then spaces': fill(' ', 'Bearer'),
    'key prefixes': fill('whsec_'),
    'json escapes': fill('"\\\u0001é😀'),
  };
}

/** `text` cut to at most `max` UTF-16 units, never in the middle of a surrogate pair. */
export function cutTo(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}
