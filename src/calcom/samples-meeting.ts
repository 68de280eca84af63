// MEETING_STARTED/ENDED: the Prisma booking row that the cron in `scheduleTrigger.ts` stored as
// `JSON.stringify({triggerEvent, ...booking})`, flat, or the newer builder's wrapped form. Kept apart from the
// booking envelope because it is a different object (a database row, not a CalendarEvent).

import { responsesFor } from './samples-booking.js';
import type { SampleContext } from './samples-context.js';

type Json = Record<string, unknown>;

/** The Prisma booking row that `scheduleTrigger.ts` stores for MEETING_STARTED/ENDED. */
function bookingRow(ctx: SampleContext, trigger: 'MEETING_STARTED' | 'MEETING_ENDED'): Json {
  const o = ctx.opts;
  const a = ctx.attendee;
  const attendeeRows = [
    { name: a.name, email: a.email, phoneNumber: a.phoneNumber },
    ...ctx.guests.map((email) => ({ name: '', email, phoneNumber: null })),
  ].map((p, i) => ({
    id: ctx.bookingId * 10 + i,
    email: p.email,
    name: p.name,
    timeZone: a.timeZone,
    phoneNumber: p.phoneNumber,
    locale: a.locale,
    bookingId: ctx.bookingId,
    noShow: false,
  }));
  const updatedAt =
    trigger === 'MEETING_ENDED' ? new Date(ctx.end.getTime() + 5 * 60_000).toISOString() : ctx.bookingCreatedAt;
  return {
    id: ctx.bookingId,
    uid: ctx.uid,
    idempotencyKey: ctx.uuid('idempotencyKey'),
    userId: ctx.organizer.id,
    userPrimaryEmail: ctx.organizer.email,
    eventTypeId: ctx.eventTypeId,
    title: ctx.title,
    description: ctx.notes,
    customInputs: {},
    responses: responsesFor(ctx, 'flat'),
    startTime: ctx.start.toISOString(),
    endTime: ctx.end.toISOString(),
    location: ctx.location,
    createdAt: ctx.bookingCreatedAt,
    updatedAt,
    status: o.status ?? 'ACCEPTED',
    paid: false,
    destinationCalendarId: null,
    cancellationReason: null,
    rejectionReason: null,
    reassignReason: null,
    reassignById: null,
    dynamicEventSlugRef: null,
    dynamicGroupSlugRef: null,
    rescheduled: null,
    fromReschedule: o.rescheduleUid ?? null,
    recurringEventId: null,
    smsReminderNumber: o.smsReminderNumber ?? null,
    scheduledJobs: [],
    metadata: { ...(ctx.videoCallUrl ? { videoCallUrl: ctx.videoCallUrl } : {}), ...o.metadata },
    isRecorded: false,
    iCalUID: `${ctx.uid}@Cal.com`,
    iCalSequence: 0,
    rating: null,
    ratingFeedback: null,
    noShowHost: false,
    oneTimePassword: null,
    cancelledBy: null,
    rescheduledBy: null,
    creationSource: 'WEBAPP',
    user: {
      email: ctx.organizer.email,
      name: ctx.organizer.name,
      timeZone: ctx.organizer.timeZone,
      username: ctx.organizer.username,
    },
    attendees: attendeeRows,
    eventType: {
      id: ctx.eventTypeId,
      slug: ctx.eventTypeSlug,
      title: ctx.eventTitle,
      length: ctx.lengthInMinutes,
      teamId: null,
      parentId: null,
    },
    payment: [],
    references: [],
  };
}

/**
 * Flat (default): `JSON.stringify({triggerEvent, ...booking})`, no payload wrapper, no send-time createdAt.
 * Nested: the newer MeetingPayloadBuilder's `{triggerEvent, createdAt, payload: booking}`.
 */
export function buildMeetingBody(ctx: SampleContext, trigger: 'MEETING_STARTED' | 'MEETING_ENDED'): Json {
  const row = bookingRow(ctx, trigger);
  if (ctx.opts.meetingForm === 'nested') return { triggerEvent: trigger, createdAt: ctx.createdAt, payload: row };
  return { triggerEvent: trigger, ...row };
}
