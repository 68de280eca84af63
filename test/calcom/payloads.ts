// Realistic Cal.com deliveries for the parser tests, one per trigger, shaped after docs/calcom-webhooks.md §3
// (version 2021-10-20). Each builder returns a fresh object so tests may mutate it.

type Json = Record<string, unknown>;

export const UID = 'bFJeNb2uX8ANpT3JL5EfXw';
export const NEW_UID = 'q3uMeR8cYvLd1KpWz6TnHs';
export const SENT_AT = '2026-11-20T10:15:30.123Z';

const organizer = {
  id: 5,
  name: 'Dana Host',
  email: 'Dana.Host@Example.com',
  username: 'dana',
  timeZone: 'Europe/London',
  language: { locale: 'en' },
  timeFormat: 'h:mma',
  utcOffset: 0,
};

const attendee = {
  email: ' Alex.Guest@Example.org ',
  name: 'Alex Guest',
  firstName: '',
  lastName: '',
  timeZone: 'Europe/Paris',
  language: { locale: 'en' },
  utcOffset: 60,
};

/** What real deliveries carry: every answer labelled, empty answers without `value`. */
export const labelledResponses = {
  name: { label: 'your_name', value: 'Alex Guest', isHidden: false },
  email: { label: 'email_address', value: 'alex.guest@example.org', isHidden: false },
  location: {
    label: 'location',
    value: { value: 'inPerson', optionValue: '1 Main St, London' },
    isHidden: false,
  },
  notes: { label: 'additional_notes', value: 'Second floor, ring twice', isHidden: false },
  guests: { label: 'additional_guests', value: ['sam@example.net'], isHidden: false },
  rescheduleReason: { label: 'reason_for_reschedule', isHidden: false },
  attendeePhoneNumber: { label: 'phone_number', value: '+447700900123', isHidden: false },
};

/** The older docs' (and INSTANT_MEETING's) bare answers. */
export const flatResponses = {
  name: 'Alex Guest',
  email: 'alex.guest@example.org',
  location: { value: 'inPerson', optionValue: '1 Main St, London' },
  notes: 'Second floor, ring twice',
  guests: ['sam@example.net'],
  attendeePhoneNumber: '+447700900123',
};

function bookingPayload(): Json {
  return {
    type: 'intro-call',
    title: 'Intro call between Dana Host and Alex Guest',
    description: 'Second floor, ring twice',
    additionalNotes: 'Second floor, ring twice',
    customInputs: {},
    startTime: '2026-12-01T09:00:00Z',
    endTime: '2026-12-01T09:30:00Z',
    organizer: structuredClone(organizer),
    responses: structuredClone(labelledResponses),
    userFieldsResponses: {},
    attendees: [structuredClone(attendee)],
    location: '1 Main St, London',
    destinationCalendar: null,
    hideCalendarNotes: false,
    requiresConfirmation: false,
    eventTypeId: 42,
    seatsShowAttendees: true,
    seatsPerTimeSlot: null,
    uid: UID,
    iCalUID: `${UID}@Cal.com`,
    iCalSequence: 0,
    eventTitle: 'Intro call',
    eventDescription: null,
    price: 0,
    currency: 'usd',
    length: 30,
    bookingId: 1201,
    metadata: { videoCallUrl: `https://app.cal.com/video/${UID}`, calsyncId: 'apt_77' },
    status: 'ACCEPTED',
  };
}

function envelope(triggerEvent: string, payload: Json): Json {
  return { triggerEvent, createdAt: SENT_AT, payload };
}

export function bookingCreated(): Json {
  return envelope('BOOKING_CREATED', bookingPayload());
}

export function bookingCreatedFlatResponses(): Json {
  return envelope('BOOKING_CREATED', { ...bookingPayload(), responses: structuredClone(flatResponses) });
}

export function bookingConfirmedLegacy(): Json {
  return envelope('BOOKING_CONFIRMED', bookingPayload());
}

/** Real Cal.com: uid/bookingId are the NEW booking, rescheduleUid/rescheduleId the original. */
export function bookingRescheduled(): Json {
  const responses = structuredClone(labelledResponses) as Json;
  responses.rescheduleReason = { label: 'reason_for_reschedule', value: 'Train delayed', isHidden: false };
  return envelope('BOOKING_RESCHEDULED', {
    ...bookingPayload(),
    uid: NEW_UID,
    iCalUID: `${UID}@Cal.com`,
    iCalSequence: 1,
    bookingId: 1305,
    startTime: '2026-12-02T14:00:00Z',
    endTime: '2026-12-02T14:30:00Z',
    responses,
    rescheduleUid: UID,
    rescheduleId: 1201,
    rescheduleStartTime: '2026-12-01T09:00:00Z',
    rescheduleEndTime: '2026-12-01T09:30:00Z',
    rescheduledBy: 'Alex.Guest@Example.org',
  });
}

/** A reschedule of an event type that needs confirmation arrives as REQUESTED (status PENDING). */
export function bookingRequestedReschedule(): Json {
  return envelope('BOOKING_REQUESTED', {
    ...bookingPayload(),
    uid: NEW_UID,
    bookingId: 1306,
    requiresConfirmation: true,
    status: 'PENDING',
    startTime: '2026-12-03T10:00:00Z',
    endTime: '2026-12-03T10:30:00Z',
    rescheduleUid: UID,
    rescheduleId: 1201,
    rescheduledBy: 'alex.guest@example.org',
  });
}

export function bookingRequested(): Json {
  return envelope('BOOKING_REQUESTED', { ...bookingPayload(), requiresConfirmation: true, status: 'PENDING' });
}

/** handleCancelBooking formats times with dayjs .format(), hence +00:00. */
export function bookingCancelled(requestReschedule = false): Json {
  return envelope('BOOKING_CANCELLED', {
    ...bookingPayload(),
    startTime: '2026-12-01T09:00:00+00:00',
    endTime: '2026-12-01T09:30:00+00:00',
    status: 'CANCELLED',
    cancellationReason: 'Host unavailable',
    cancelledBy: 'Dana.Host@Example.com',
    requestReschedule,
  });
}

export function bookingRejected(): Json {
  return envelope('BOOKING_REJECTED', {
    ...bookingPayload(),
    status: 'REJECTED',
    requiresConfirmation: true,
    rejectionReason: 'Fully booked that week',
  });
}

export function bookingNoShowUpdated(): Json {
  return envelope('BOOKING_NO_SHOW_UPDATED', {
    message: 'x_marked_as_no_show',
    attendees: [
      { email: 'Zed@Example.org', noShow: false },
      { email: ' Alex.Guest@Example.org', noShow: true },
    ],
    bookingUid: UID,
    bookingId: 1201,
  });
}

export function bookingPaymentInitiated(): Json {
  return envelope('BOOKING_PAYMENT_INITIATED', {
    ...bookingPayload(),
    price: 5000,
    currency: 'gbp',
    paymentId: 981,
    status: 'ACCEPTED',
  });
}

export function bookingPaid(): Json {
  return envelope('BOOKING_PAID', {
    ...bookingPayload(),
    price: 5000,
    currency: 'gbp',
    paymentId: 981,
    paid: true,
    metadata: {
      identifier: 'cal.com',
      bookingId: 1201,
      eventTypeId: 42,
      bookerEmail: 'alex.guest@example.org',
      eventTitle: 'Intro call',
      externalId: 'pi_3Nabc',
    },
  });
}

/** The Prisma booking row, as MEETING_STARTED/ENDED carry it. */
function bookingRow(): Json {
  return {
    id: 1201,
    uid: UID,
    userId: 5,
    eventTypeId: 42,
    title: 'Intro call between Dana Host and Alex Guest',
    description: 'Second floor, ring twice',
    customInputs: {},
    responses: structuredClone(flatResponses),
    startTime: '2026-12-01T09:00:00.000Z',
    endTime: '2026-12-01T09:30:00.000Z',
    location: '1 Main St, London',
    createdAt: '2026-11-01T08:00:00.000Z',
    updatedAt: '2026-11-02T08:00:00.000Z',
    status: 'ACCEPTED',
    paid: false,
    cancellationReason: null,
    rejectionReason: null,
    fromReschedule: null,
    rescheduled: null,
    smsReminderNumber: null,
    metadata: { videoCallUrl: `https://app.cal.com/video/${UID}`, calsyncId: 'apt_77' },
    iCalUID: `${UID}@Cal.com`,
    iCalSequence: 0,
    eventType: { bookingFields: [] },
    attendees: [{ name: 'Alex Guest', email: 'alex.guest@example.org', timeZone: 'Europe/Paris', noShow: false }],
    user: { email: 'dana.host@example.com', name: 'Dana Host', timeZone: 'Europe/London', username: 'dana' },
  };
}

/** The cron's body: `JSON.stringify({triggerEvent, ...booking})`, no payload, no send time. */
export function meetingEndedFlat(): Json {
  return { triggerEvent: 'MEETING_ENDED', ...bookingRow() };
}

/** The newer builder's body: the same row under `payload`, with the send time. */
export function meetingEndedNested(): Json {
  return envelope('MEETING_ENDED', bookingRow());
}

export function meetingStartedFlat(): Json {
  return { triggerEvent: 'MEETING_STARTED', ...bookingRow() };
}

export function ping(): Json {
  return envelope('PING', {
    type: 'Test',
    title: 'Test trigger event',
    startTime: '2026-11-20T10:15:30.000Z',
    endTime: '2026-11-20T10:15:30.000Z',
    attendees: [{ email: 'jdoe@example.com', name: 'John Doe', timeZone: 'Europe/London', language: { locale: 'en' } }],
    organizer: { name: 'Cal', email: 'no-reply@cal.com', timeZone: 'Europe/London', language: { locale: 'en' } },
  });
}

export function formSubmitted(): Json {
  return envelope('FORM_SUBMITTED', {
    formId: 'b6f8c0de-0d9a-4c0e-9b0b-2f3e6a1c9d11',
    formName: 'Which call do you need?',
    teamId: null,
    responses: { 'Your email': { value: 'alex.guest@example.org' }, Topic: { value: 'Sales' } },
  });
}

export function oooCreated(): Json {
  return envelope('OOO_CREATED', {
    oooEntry: {
      id: 7,
      start: '2026-12-20T00:00:00.000Z',
      end: '2026-12-31T23:59:59.999Z',
      createdAt: '2026-11-20T10:00:00.000Z',
      updatedAt: '2026-11-20T10:00:00.000Z',
      notes: 'Holidays',
      reason: { emoji: '🏝️', reason: 'vacation' },
      reasonId: 1,
      user: { id: 5, name: 'Dana Host', username: 'dana', timeZone: 'Europe/London', email: 'dana.host@example.com' },
      toUser: null,
      uuid: 'd2b0f1a0-3c1e-4f6e-8a8c-0b7b1d7e0f55',
    },
  });
}

export function recordingReady(): Json {
  return envelope('RECORDING_READY', {
    ...bookingPayload(),
    downloadLink: 'https://cal.com/recordings/abc.mp4',
  });
}

/** A copy of `body` with `payload` (or, without one, the body itself) patched. */
export function patchPayload(body: Json, patch: Json): Json {
  const copy = structuredClone(body);
  if (copy.payload && typeof copy.payload === 'object') Object.assign(copy.payload as Json, patch);
  else Object.assign(copy, patch);
  return copy;
}

/** A copy of `body` with the payload key `key` removed. */
export function dropPayloadKey(body: Json, key: string): Json {
  const copy = structuredClone(body);
  delete (copy.payload as Json)[key];
  return copy;
}
