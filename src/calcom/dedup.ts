// Deduplication keys for deliveries. Cal.com sends no delivery id and stamps `createdAt` at send time, so a
// retried delivery differs from the first only in createdAt (and possibly formatting). The key is built
// from what identifies the change, on parsed and normalised values, so it is the same whether the body was
// minified or pretty-printed, the MEETING_* body flat or nested, the responses labelled or bare.

import { createHash } from 'node:crypto';

import type { DomainEvent } from '../appointments/types.js';
import type { Trigger } from './triggers.js';
import { isRecord } from './values.js';

/** Bumped if the key's ingredients change, so old and new keys can never collide by accident. */
const KEY_VERSION = 'calcom-dedup-v1';

/** JSON with object keys sorted at every level and undefined members dropped: one text per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (isRecord(value)) {
    const members = Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`);
    return `{${members.join(',')}}`;
  }
  // Primitives; JSON.stringify maps NaN/Infinity to null like any JSON encoder, and undefined → null.
  return JSON.stringify(value) ?? 'null';
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Key for a delivery that became a DomainEvent. `calcomStatus` is the payload's `status` (the event does
 * not carry it). Attendee emails are included as well: a seat cancellation of a seated booking changes
 * nothing else, and two different seats cancelled must not be taken for one repeated delivery.
 */
export function eventDedupKey(trigger: Trigger, event: DomainEvent, calcomStatus: string | null): string {
  const b = event.booking;
  // Order of the list is presentation, not meaning.
  const noShow = event.noShow
    ? event.noShow.map((n) => `${n.email}:${n.noShow ? 1 : 0}`).sort(compare)
    : null;
  const attendees = [...new Set(b.attendees.map((a) => a.email))].sort(compare);
  // Every member is a primitive or an array of strings, so JSON.stringify already gives canonicalJson's text
  // (no object whose key order could differ) at a fraction of its cost; test/calcom/dedup.test.ts pins both.
  return sha256Hex(
    JSON.stringify([
      KEY_VERSION,
      trigger,
      b.uid,
      b.bookingId,
      b.startTime,
      b.endTime,
      calcomStatus?.trim().toUpperCase() || null,
      event.previousUid,
      event.reason,
      event.actor,
      event.requestReschedule,
      noShow,
      event.payment?.paymentId ?? null,
      attendees,
    ]),
  );
}

/**
 * Key for a skipped delivery. Nothing identifies a PING or a form submission except its content, so the
 * whole payload (minus any top-level `createdAt`, which is the send time) is hashed: an identical repeat
 * dedupes, a different submission does not.
 */
export function skipDedupKey(trigger: Trigger, bookingUid: string | null, content: unknown): string {
  const withoutSendTime = isRecord(content) ? { ...content, createdAt: undefined } : content;
  return sha256Hex(canonicalJson([KEY_VERSION, trigger, bookingUid, sha256Hex(canonicalJson(withoutSendTime))]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
