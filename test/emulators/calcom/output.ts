// Stored rows → Cal.com API v2 response objects (bookings as version 2024-08-13 returns them, webhooks as
// WebhookOutputDto). Optional fields are left out rather than set to null, as the real API does.

import type { CalcomState, StoredBooking } from './state.js';
import type { StoredWebhook } from './webhook-store.js';

export type BookingOutput = Record<string, unknown> & {
  id: number;
  uid: string;
  status: StoredBooking['status'];
  start: string;
  end: string;
  metadata: Record<string, string>;
};

export type WebhookOutput = Record<string, unknown> & {
  id: string;
  subscriberUrl: string;
  triggers: string[];
  active: boolean;
};

function meetingUrl(b: StoredBooking): string | undefined {
  return b.location === 'integrations:daily' ? `https://app.cal.com/video/${b.uid}` : undefined;
}

export function bookingOutput(state: CalcomState, b: StoredBooking): BookingOutput {
  const et = state.eventType(b.eventTypeId);
  const url = meetingUrl(b);
  const a = b.attendee;
  const out: Record<string, unknown> = {
    id: b.id,
    uid: b.uid,
    title: b.title,
    description: b.notes,
    hosts: [{ ...state.host }],
    status: b.status,
    cancellationReason: b.cancellationReason,
    cancelledByEmail: b.cancelledByEmail,
    reschedulingReason: b.reschedulingReason,
    rescheduledByEmail: b.rescheduledByEmail,
    rescheduledFromUid: b.rescheduledFromUid,
    rescheduledToUid: b.rescheduledToUid,
    start: b.start,
    end: b.end,
    duration: Math.round((Date.parse(b.end) - Date.parse(b.start)) / 60_000),
    eventTypeId: et.id,
    eventType: { id: et.id, slug: et.slug },
    meetingUrl: url,
    location: url ?? b.location,
    absentHost: false,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
    metadata: { ...b.metadata },
    rating: null,
    icsUid: `${b.uid}@Cal.com`,
    attendees: [
      {
        name: a.name,
        email: a.email,
        displayEmail: a.email,
        timeZone: a.timeZone,
        phoneNumber: a.phoneNumber,
        language: a.language,
        absent: a.absent,
      },
      ...b.guests.map((email) => ({
        name: '',
        email,
        displayEmail: email,
        timeZone: a.timeZone,
        language: a.language,
        absent: false,
      })),
    ],
    guests: [...b.guests],
    bookingFieldsResponses: { name: a.name, email: a.email, guests: [...b.guests], ...b.bookingFieldsResponses },
  };
  return JSON.parse(JSON.stringify(out)) as BookingOutput;
}

export function webhookOutput(w: StoredWebhook): WebhookOutput {
  return JSON.parse(
    JSON.stringify({
      id: w.id,
      userId: w.userId,
      subscriberUrl: w.subscriberUrl,
      triggers: w.triggers,
      active: w.active,
      payloadTemplate: w.payloadTemplate,
      version: w.version,
      secret: w.secret,
      time: w.time,
      timeUnit: w.timeUnit,
    }),
  ) as WebhookOutput;
}
