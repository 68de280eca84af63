// The small normalised booking event POST /api/notion/notion-handler accepts besides a Cal.com webhook body,
// for people who drive calsync from their own code:
//
//   { "action": "created" | "confirmed" | "requested" | "rescheduled" | "cancelled" | "rejected" | "completed" | "no_show",
//     "booking": { "uid", "title"?, "start_time"?, "end_time"?, "event_type"?, "event_type_id"?,
//                  "organizer"?: {"name"?, "email", "time_zone"?}, "attendees"?: [{"name"?, "email", "time_zone"?}],
//                  "phone"?, "notes"?, "location"?, "metadata"? },
//     "previous_uid"?,   // required for "rescheduled": the uid the booking had before
//     "reason"?,         // cancellation, rejection or reschedule reason
//     "no_show"?: [{"email", "no_show"}],  // for "no_show"; default: every attendee is a no-show
//     "sent_at"? }       // ISO time; orders events of one booking that arrive out of order
//
// A booking calsync has never seen needs start_time, end_time and an organizer or attendee to be created.
import { z } from 'zod';
import type { DomainEvent, EventKind } from '../appointments/types.js';
import { eventDedupKey } from '../calcom/dedup.js';
import type { Trigger } from '../calcom/triggers.js';

export const HANDLER_ACTIONS = ['created', 'confirmed', 'requested', 'rescheduled', 'cancelled', 'rejected', 'completed', 'no_show'] as const;
export type HandlerAction = (typeof HANDLER_ACTIONS)[number];

/** Which domain event and which Cal.com trigger (for the dedup key) each action is. */
const ACTION_MEANING: Record<HandlerAction, { kind: EventKind; trigger: Trigger }> = {
  created: { kind: 'created', trigger: 'BOOKING_CREATED' },
  confirmed: { kind: 'confirmed', trigger: 'BOOKING_CONFIRMED' },
  requested: { kind: 'requested', trigger: 'BOOKING_REQUESTED' },
  rescheduled: { kind: 'rescheduled', trigger: 'BOOKING_RESCHEDULED' },
  cancelled: { kind: 'cancelled', trigger: 'BOOKING_CANCELLED' },
  rejected: { kind: 'rejected', trigger: 'BOOKING_REJECTED' },
  completed: { kind: 'meeting_ended', trigger: 'MEETING_ENDED' },
  no_show: { kind: 'no_show_updated', trigger: 'BOOKING_NO_SHOW_UPDATED' },
};

const isoTime = z
  .string()
  .max(64)
  .refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time')
  .transform((s) => new Date(s).toISOString());
const email = z.string().trim().toLowerCase().max(200).pipe(z.email());
const text = (max: number) => z.string().max(max);
const person = z.object({ name: text(200).nullish(), email, time_zone: text(64).nullish() });

export const handlerEventSchema = z
  .object({
    action: z.enum(HANDLER_ACTIONS),
    booking: z.object({
      uid: z.string().trim().min(1).max(200),
      title: text(2000).nullish(),
      start_time: isoTime.nullish(),
      end_time: isoTime.nullish(),
      event_type: text(200).nullish(),
      event_type_id: z.number().int().nullish(),
      organizer: person.nullish(),
      attendees: z.array(person).max(100).nullish(),
      phone: text(200).nullish(),
      notes: text(100_000).nullish(),
      location: text(2000).nullish(),
      metadata: z.record(z.string(), z.unknown()).nullish(),
    }),
    previous_uid: z.string().trim().min(1).max(200).nullish(),
    reason: text(5000).nullish(),
    no_show: z.array(z.object({ email, no_show: z.boolean() })).max(100).nullish(),
    sent_at: isoTime.nullish(),
  })
  .refine((e) => e.action !== 'rescheduled' || !!e.previous_uid, { message: 'is required when action is "rescheduled"', path: ['previous_uid'] })
  .refine((e) => !e.booking.start_time || !e.booking.end_time || e.booking.start_time <= e.booking.end_time, {
    message: 'must not be before start_time',
    path: ['booking', 'end_time'],
  });

export type HandlerEvent = z.infer<typeof handlerEventSchema>;

export interface NormalisedIncoming {
  trigger: Trigger;
  event: DomainEvent;
  dedupKey: string;
}

export function toDomainEvent(input: HandlerEvent): NormalisedIncoming {
  const meaning = ACTION_MEANING[input.action];
  const b = input.booking;
  const attendees = (b.attendees ?? []).map((a) => ({ name: a.name ?? null, email: a.email, timeZone: a.time_zone ?? null }));
  const event: DomainEvent = {
    kind: meaning.kind,
    booking: {
      uid: b.uid,
      bookingId: null,
      eventTypeId: b.event_type_id ?? null,
      eventType: b.event_type ?? null,
      title: b.title ?? null,
      startTime: b.start_time ?? null,
      endTime: b.end_time ?? null,
      organizer: b.organizer ? { name: b.organizer.name ?? null, email: b.organizer.email, timeZone: b.organizer.time_zone ?? null } : null,
      attendees,
      phone: b.phone ?? null,
      notes: b.notes ?? null,
      location: b.location ?? null,
      metadata: b.metadata ?? {},
    },
    previousUid: input.previous_uid ?? null,
    reason: input.reason ?? null,
    actor: null,
    requestReschedule: false,
    noShow:
      input.action === 'no_show'
        ? (input.no_show ?? attendees.map((a) => ({ email: a.email, no_show: true }))).map((n) => ({ email: n.email, noShow: n.no_show }))
        : null,
    payment: null,
    snapshotStatus: null,
    sentAt: input.sent_at ?? null,
  };
  return { trigger: meaning.trigger, event, dedupKey: `notion-handler:${eventDedupKey(meaning.trigger, event, null)}` };
}
