// The non-booking bodies: PING, no-show, routing forms, OOO, recordings, instant meetings, Cal Video no-show,
// wrong-assignment and delegation-credential events. Shapes follow the per-trigger examples in Cal.com's
// webhooks docs (2021-10-20 tab); the ones the docs do not show are marked as plausible in the README.

import { formatUtcOffset, utcOffsetMinutes, type SampleContext, type SampleTrigger } from './samples-context.js';
import { flatResponses, type BookingEnvelopeTrigger } from './samples-booking.js';

type Json = Record<string, unknown>;

export type MiscTrigger = Exclude<SampleTrigger, BookingEnvelopeTrigger | 'MEETING_STARTED' | 'MEETING_ENDED'>;

function envelope(ctx: SampleContext, payload: Json): Json {
  return { triggerEvent: ctx.trigger, createdAt: ctx.createdAt, payload };
}

/** `testTrigger.handler.ts`: fixed fake people, no uid, no bookingId. */
function ping(ctx: SampleContext): Json {
  return envelope(ctx, {
    type: 'Test',
    title: 'Test trigger event',
    startTime: ctx.opts.startTime ?? ctx.createdAt,
    endTime: ctx.opts.endTime ?? ctx.createdAt,
    attendees: [{ email: 'jdoe@example.com', name: 'John Doe', timeZone: 'Europe/London', language: { locale: 'en' } }],
    organizer: { name: 'Cal', email: 'no-reply@cal.com', timeZone: 'Europe/London', language: { locale: 'en' } },
  });
}

function noShowUpdated(ctx: SampleContext): Json {
  const attendees = ctx.opts.noShow ?? [{ email: ctx.attendee.email, noShow: true }];
  const first = attendees[0];
  const message =
    attendees.length === 1 && first
      ? `${first.email} ${first.noShow ? 'marked' : 'unmarked'} as no-show`
      : 'No-show status updated';
  return envelope(ctx, { message, attendees, bookingUid: ctx.uid, bookingId: ctx.bookingId });
}

function attendeeRows(ctx: SampleContext, noShow: boolean): Json[] {
  const a = ctx.attendee;
  return [
    {
      id: ctx.bookingId * 10,
      email: a.email,
      name: a.name,
      timeZone: a.timeZone,
      phoneNumber: a.phoneNumber,
      locale: a.locale,
      bookingId: ctx.bookingId,
      noShow,
    },
  ];
}

function calVideoNoShow(ctx: SampleContext, hosts: boolean): Json {
  const waitMinutes = 5;
  const deadline = new Date(ctx.start.getTime() + waitMinutes * 60_000);
  const deadlineText = formatUtcOffset(deadline).replace('T', ' ').replace('+00:00', ' +00:00');
  const payload: Json = {
    title: ctx.title,
    bookingId: ctx.bookingId,
    bookingUid: ctx.uid,
    startTime: ctx.start.toISOString(),
    attendees: attendeeRows(ctx, !hosts),
    endTime: ctx.end.toISOString(),
    participants: [],
    ...(hosts ? { hostEmail: ctx.organizer.email } : { guests: attendeeRows(ctx, true) }),
    eventType: { id: ctx.eventTypeId, teamId: null, parentId: null, calVideoSettings: null },
    webhook: {
      id: ctx.uuid('webhook'),
      subscriberUrl: 'https://calsync.example.com/webhooks/calcom',
      appId: null,
      time: waitMinutes,
      timeUnit: 'MINUTE',
      eventTriggers: ['AFTER_HOSTS_CAL_VIDEO_NO_SHOW', 'AFTER_GUESTS_CAL_VIDEO_NO_SHOW'],
      payloadTemplate: null,
    },
    message: hosts
      ? `Host with email ${ctx.organizer.email} didn't join the call or didn't join before ${deadlineText}`
      : `Guest didn't join the call or didn't join before ${deadlineText}`,
  };
  return envelope(ctx, payload);
}

function recordingPeople(ctx: SampleContext): Json {
  const o = ctx.organizer;
  const a = ctx.attendee;
  return {
    organizer: {
      email: o.email,
      name: o.name,
      timeZone: o.timeZone,
      language: { locale: o.locale },
      utcOffset: utcOffsetMinutes(o.timeZone, ctx.start),
    },
    attendees: [
      {
        id: ctx.bookingId * 10,
        name: a.name,
        email: a.email,
        timeZone: a.timeZone,
        language: { locale: a.locale },
        utcOffset: utcOffsetMinutes(a.timeZone, ctx.start),
      },
    ],
  };
}

function recording(ctx: SampleContext, transcript: boolean): Json {
  const token = ctx.uuid('recording-token').replace(/-/g, '');
  const recordingLink = `https://app.cal.com/api/video/recording?token=${token}`;
  const base = `https://cal-video-transcripts.s3.amazonaws.com/${ctx.uid}/transcript`;
  return envelope(ctx, {
    type: ctx.eventTypeSlug,
    title: ctx.title,
    startTime: ctx.start.toISOString(),
    endTime: ctx.end.toISOString(),
    ...recordingPeople(ctx),
    uid: ctx.uid,
    customReplyToEmail: null,
    ...(transcript
      ? {
          downloadLinks: {
            transcription: ['json', 'srt', 'txt', 'vtt'].map((format) => ({
              format,
              link: `${base}.${format}?X-Amz-Expires=3600`,
            })),
            recording: recordingLink,
          },
        }
      : { downloadLink: recordingLink }),
  });
}

function instantMeeting(ctx: SampleContext): Json {
  return envelope(ctx, {
    triggerEvent: ctx.trigger,
    uid: ctx.uid,
    // The instant-meeting path sends the raw booking responses, not `{label, value}` entries.
    responses: flatResponses(ctx),
    connectAndJoinUrl: `https://app.cal.com/connect-and-join?token=${ctx.uuid('connect').replace(/-/g, '')}`,
    eventTypeId: ctx.eventTypeId,
    eventTypeTitle: ctx.eventTitle,
    customInputs: {},
  });
}

function oooCreated(ctx: SampleContext): Json {
  const day = Date.UTC(ctx.start.getUTCFullYear(), ctx.start.getUTCMonth(), ctx.start.getUTCDate());
  const o = ctx.organizer;
  return envelope(ctx, {
    oooEntry: {
      id: 100 + ctx.seq('ooo', 900),
      start: formatUtcOffset(new Date(day)),
      end: formatUtcOffset(new Date(day + 3 * 86_400_000 - 1000)),
      createdAt: ctx.createdAt,
      updatedAt: ctx.createdAt,
      notes: 'Conference travel',
      reason: { emoji: '🏝️', reason: 'ooo_reasons_vacation' },
      reasonId: 1,
      user: { id: o.id, name: o.name, username: o.username, email: o.email, timeZone: o.timeZone },
      toUser: null,
      uuid: ctx.uuid('ooo'),
    },
  });
}

const TOPIC_QUESTION = 'What do you need help with?';

function formResponses(ctx: SampleContext): { responses: Json; root: Json } {
  const topic = 'Onboarding';
  const responses: Json = {
    'Full name': { value: ctx.attendee.name, response: ctx.attendee.name },
    Email: { value: ctx.attendee.email, response: ctx.attendee.email },
    [TOPIC_QUESTION]: { value: [topic], response: [{ label: topic, id: ctx.uuid('topic-option') }] },
  };
  const root: Json = { 'Full name': ctx.attendee.name, Email: ctx.attendee.email, [TOPIC_QUESTION]: [topic] };
  return { responses, root };
}

function formBody(ctx: SampleContext): Json {
  const { responses, root } = formResponses(ctx);
  const formId = ctx.uuid('form');
  const formName = 'New client intake';
  switch (ctx.trigger) {
    case 'FORM_SUBMITTED':
      // Answers are also duplicated at the top level of the body, for backward compatibility.
      return {
        ...root,
        triggerEvent: ctx.trigger,
        createdAt: ctx.createdAt,
        payload: { formId, formName, teamId: null, responses },
      };
    case 'FORM_SUBMITTED_NO_EVENT':
      return envelope(ctx, {
        formId,
        formName,
        teamId: null,
        redirect: { type: 'eventTypeRedirectUrl', value: `${ctx.organizer.username}/${ctx.eventTypeSlug}` },
        responseId: 500 + ctx.seq('responseId', 9000),
        responses,
      });
    default:
      return envelope(ctx, {
        formId,
        formName,
        teamId: null,
        responseId: 500 + ctx.seq('responseId', 9000),
        responses,
        fallbackAction: { type: 'customPageMessage', value: 'Thanks! We will get back to you by email.' },
      });
  }
}

function wrongAssignment(ctx: SampleContext): Json {
  return envelope(ctx, {
    booking: {
      uid: ctx.uid,
      id: ctx.bookingId,
      title: ctx.title,
      startTime: ctx.start.toISOString(),
      endTime: ctx.end.toISOString(),
      status: 'ACCEPTED',
      eventType: { id: ctx.eventTypeId, title: ctx.eventTitle, slug: ctx.eventTypeSlug, teamId: 50 },
    },
    report: {
      reportedBy: { id: ctx.organizer.id, email: ctx.organizer.email, name: ctx.organizer.name },
      routingReason: 'Routed by company size: 1-10',
      guest: ctx.attendee.email,
      host: { email: ctx.organizer.email, name: ctx.organizer.name },
      correctAssignee: 'sam@studio.example.com',
      additionalNotes: 'Returning client; should go to their usual coach.',
    },
  });
}

function delegation(ctx: SampleContext): Json {
  const credential = {
    id: 40 + ctx.seq('credential', 900),
    type: 'google_calendar',
    appId: 'google-calendar',
    delegationCredentialId: ctx.uuid('delegation'),
  };
  const user = { id: ctx.organizer.id, email: ctx.organizer.email, organizationId: 500 };
  const errors: Partial<Record<SampleTrigger, Json>> = {
    DELEGATION_CREDENTIAL_ERROR: {
      type: 'CalendarAppDelegationCredentialError',
      message: 'Invalid grant: account has been disabled or password changed',
    },
    DELEGATION_CREDENTIAL_SECRET_ROTATION_FAILED: {
      type: 'DelegationCredentialRotationError',
      message: 'Service account key could not be rotated',
    },
  };
  const error = errors[ctx.trigger];
  return envelope(ctx, { ...(error ? { error } : {}), credential, user });
}

function calendarEntryRejected(ctx: SampleContext): Json {
  return envelope(ctx, {
    bookingUid: ctx.uid,
    bookingId: ctx.bookingId,
    title: ctx.title,
    startTime: ctx.start.toISOString(),
    endTime: ctx.end.toISOString(),
    attendee: { email: ctx.attendee.email, name: ctx.attendee.name },
  });
}

export function buildMiscBody(ctx: SampleContext, trigger: MiscTrigger): Json {
  switch (trigger) {
    case 'PING':
      return ping(ctx);
    case 'BOOKING_NO_SHOW_UPDATED':
      return noShowUpdated(ctx);
    case 'AFTER_HOSTS_CAL_VIDEO_NO_SHOW':
      return calVideoNoShow(ctx, true);
    case 'AFTER_GUESTS_CAL_VIDEO_NO_SHOW':
      return calVideoNoShow(ctx, false);
    case 'RECORDING_READY':
      return recording(ctx, false);
    case 'RECORDING_TRANSCRIPTION_GENERATED':
      return recording(ctx, true);
    case 'INSTANT_MEETING':
      return instantMeeting(ctx);
    case 'OOO_CREATED':
      return oooCreated(ctx);
    case 'FORM_SUBMITTED':
    case 'FORM_SUBMITTED_NO_EVENT':
    case 'ROUTING_FORM_FALLBACK_HIT':
      return formBody(ctx);
    case 'WRONG_ASSIGNMENT_REPORT':
      return wrongAssignment(ctx);
    case 'DELEGATION_CREDENTIAL_ERROR':
    case 'DELEGATION_CREDENTIAL_SECRET_ROTATION_FAILED':
    case 'DELEGATION_CREDENTIAL_ROTATION_REQUIRED':
    case 'DELEGATION_CREDENTIAL_SECRET_ROTATED':
      return delegation(ctx);
    case 'CALENDAR_ENTRY_REJECTED':
      return calendarEntryRejected(ctx);
    default: {
      const unhandled: never = trigger;
      throw new Error(`no sample builder for ${String(unhandled)}`);
    }
  }
}
