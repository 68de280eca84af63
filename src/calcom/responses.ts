// Reads booking-form answers without trusting their shape. Cal.com's real deliveries label each answer
// (`{field: {label, value?, isHidden?}}`, value a string, an array or `{value, optionValue}`, absent when
// empty); older docs, INSTANT_MEETING and flat MEETING_* rows carry bare values. Every reader accepts both.

import { isRecord, nonBlank } from './values.js';

type Responses = Record<string, unknown> | null | undefined;

/** Object nesting we follow at most: labelled entry → `{value, optionValue}` → value. */
const MAX_DEPTH = 3;

/** Unwraps a labelled entry; a bare answer is returned as is. */
function answerOf(entry: unknown): unknown {
  if (isRecord(entry) && ('label' in entry || 'isHidden' in entry)) return entry.value;
  return entry;
}

/** A text answer: a string, or an object's `value`. Arrays (guests, multi-select) are not text. */
function textOf(value: unknown, depth: number): string | null {
  if (typeof value === 'string') return nonBlank(value);
  if (isRecord(value) && depth < MAX_DEPTH) return textOf(value.value, depth + 1);
  return null;
}

/**
 * A location answer. `{value, optionValue}`: optionValue is what the booker typed (an address, a phone
 * number) and value the location type (`inPerson`, `integrations:daily`), so the concrete detail wins.
 */
function locationOf(value: unknown, depth: number): string | null {
  if (typeof value === 'string') return nonBlank(value);
  if (isRecord(value) && depth < MAX_DEPTH) return nonBlank(value.optionValue) ?? locationOf(value.value, depth + 1);
  return null;
}

/** Own properties only, so a field named like an Object.prototype member reads as absent. */
function entry(responses: Responses, field: string): unknown {
  return responses && Object.hasOwn(responses, field) ? responses[field] : undefined;
}

export function responseText(responses: Responses, field: string): string | null {
  return textOf(answerOf(entry(responses, field)), 0);
}

export function responseLocation(responses: Responses): string | null {
  return locationOf(answerOf(entry(responses, 'location')), 0);
}
