// X-Cal-Webhook-Version: the payload format of a Cal.com delivery. Cal.com sends the webhook's version on
// every delivery (default 2021-10-20); 2026-07-27 keeps every field of 2021-10-20 and adds ready-made .ics
// invitations (attendeeIcsContent, organizerIcsContent) to CREATED, RESCHEDULED, REASSIGNED, CANCELLED and
// PAID. The schemas accept both (and any later date-named version: Cal.com's versions only add fields), so the
// version is recorded with each event rather than branched on.

export const WEBHOOK_VERSION_HEADER = 'x-cal-webhook-version';
/** What a delivery without the header is: Cal.com's default, and what every older sender meant. */
export const DEFAULT_WEBHOOK_VERSION = '2021-10-20';
/** The versions calsync has read the payloads of (README). */
export const KNOWN_WEBHOOK_VERSIONS = ['2021-10-20', '2026-07-27'] as const;

// Cal.com names versions by date. Anything else is not a Cal.com version, and the plain pattern keeps what is
// stored (and logged) short and harmless.
const VERSION_RE = /^\d{4}-\d{2}-\d{2}$/;
/** Checked before the pattern, so no regex ever runs over a long header. */
const MAX_HEADER_CHARS = 32;

export type WebhookVersionResult = { ok: true; version: string } | { ok: false; message: string };

/** The delivery's version from its header (absent = 2021-10-20), or why the header is refused. */
export function webhookVersionOf(header: string | string[] | undefined): WebhookVersionResult {
  if (header === undefined) return { ok: true, version: DEFAULT_WEBHOOK_VERSION };
  if (Array.isArray(header)) return { ok: false, message: 'must be sent once' };
  const value = header.trim();
  if (value === '') return { ok: true, version: DEFAULT_WEBHOOK_VERSION };
  if (value.length > MAX_HEADER_CHARS || !VERSION_RE.test(value)) {
    return { ok: false, message: 'must be a Cal.com webhook version such as 2021-10-20 or 2026-07-27' };
  }
  return { ok: true, version: value };
}
