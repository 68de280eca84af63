// The emulator's in-memory Cal.com bookings: event types, bookings, and the booking state changes Cal.com
// makes (create, confirm, reject, cancel, reschedule, no-show). Each change returns the webhook event Cal.com
// would emit for it, as a trigger plus sample options; the sender turns that into signed bodies.

import { makeBookingUid, type SampleOptions, type SampleTrigger } from '../../../src/calcom/samples.js';
import { ApiError, notFound } from './http.js';
import type { CreateBookingInput } from './validation.js';

export interface EmulatorEventType {
  id: number;
  slug: string;
  title: string;
  lengthInMinutes: number;
  /** Durations a booker may pick with `lengthInMinutes`; default only `lengthInMinutes`. */
  lengthInMinutesOptions?: number[];
  /** New bookings are pending (BOOKING_REQUESTED) until confirmed. */
  requiresConfirmation?: boolean;
  /** Default location, e.g. `integrations:daily` (Cal Video). */
  location?: string;
}

export interface EmulatorHost {
  id: number;
  name: string;
  email: string;
  username: string;
  timeZone: string;
}

export type BookingStatus = 'accepted' | 'pending' | 'cancelled' | 'rejected';

export interface StoredBooking {
  id: number;
  uid: string;
  eventTypeId: number;
  title: string;
  status: BookingStatus;
  start: string;
  end: string;
  attendee: { name: string; email: string; timeZone: string; phoneNumber?: string; language: string; absent: boolean };
  guests: string[];
  notes: string;
  /** Cal.com's internal location value, e.g. `integrations:daily` or an address. */
  location: string;
  metadata: Record<string, string>;
  bookingFieldsResponses: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  cancellationReason?: string;
  cancelledByEmail?: string;
  rejectionReason?: string;
  reschedulingReason?: string;
  rescheduledByEmail?: string;
  rescheduledFromUid?: string;
  rescheduledToUid?: string;
  source: 'api' | 'direct';
}


/** A webhook event Cal.com would emit; the sender builds the body with buildCalcomBody(trigger, options). */
export interface PendingEvent {
  trigger: SampleTrigger;
  options: SampleOptions;
}

const SYSTEM_RESPONSE_FIELDS = new Set(['name', 'email', 'guests', 'notes', 'location', 'attendeePhoneNumber']);
const VIDEO_LOCATIONS: Record<string, string> = {
  'cal-video': 'integrations:daily',
  'google-meet': 'integrations:google:meet',
  zoom: 'integrations:zoom',
};

function toLocation(input: CreateBookingInput['location'], fallback: string): string {
  if (typeof input === 'string') return input;
  if (input === undefined) return fallback;
  const kind = input.type;
  if (kind === 'integration') return VIDEO_LOCATIONS[String(input.integration)] ?? fallback;
  for (const key of ['address', 'link', 'phone'] as const) if (typeof input[key] === 'string') return input[key];
  return fallback;
}

export class CalcomState {
  readonly bookings: StoredBooking[] = [];
  private nextBookingId = 1001;

  constructor(
    readonly eventTypes: EmulatorEventType[],
    readonly host: EmulatorHost,
    private readonly now: () => Date,
    private readonly uidSeed: string | undefined,
  ) {}

  reset(): void {
    this.bookings.length = 0;
    this.nextBookingId = 1001;
  }

  eventType(id: number): EmulatorEventType {
    const et = this.eventTypes.find((e) => e.id === id);
    if (!et) throw notFound(`Event type with id=${id} not found`);
    return et;
  }

  booking(uid: string): StoredBooking {
    const b = this.bookings.find((x) => x.uid === uid);
    if (!b) throw notFound(`Booking with uid=${uid} was not found in the database`);
    return b;
  }

  private newIdentity(): { id: number; uid: string } {
    const id = this.nextBookingId++;
    return { id, uid: this.uidSeed === undefined ? makeBookingUid() : makeBookingUid(`${this.uidSeed}:${id}`) };
  }

  private resolveEventType(input: CreateBookingInput): EmulatorEventType {
    if (input.eventTypeId !== undefined) return this.eventType(input.eventTypeId);
    const et = this.eventTypes.find((e) => e.slug === input.eventTypeSlug);
    if (!et || input.username !== this.host.username) {
      throw notFound(`Event type with slug=${input.eventTypeSlug} and username=${input.username} not found`);
    }
    return et;
  }

  create(input: CreateBookingInput, source: StoredBooking['source']): { booking: StoredBooking; event: PendingEvent } {
    const et = this.resolveEventType(input);
    const length = input.lengthInMinutes ?? et.lengthInMinutes;
    const allowed = et.lengthInMinutesOptions ?? [et.lengthInMinutes];
    if (!allowed.includes(length)) {
      const durations = allowed.join(', ');
      throw new ApiError(400, `lengthInMinutes ${length} is not one of this event type's durations: ${durations}`);
    }
    const start = new Date(input.start);
    const now = this.now().toISOString();
    const fields = input.bookingFieldsResponses ?? {};
    const booking: StoredBooking = {
      ...this.newIdentity(),
      eventTypeId: et.id,
      title: `${et.title} between ${this.host.name} and ${input.attendee.name}`,
      status: et.requiresConfirmation ? 'pending' : 'accepted',
      start: start.toISOString(),
      end: new Date(start.getTime() + length * 60_000).toISOString(),
      attendee: {
        name: input.attendee.name,
        email: input.attendee.email,
        timeZone: input.attendee.timeZone,
        ...(input.attendee.phoneNumber ? { phoneNumber: input.attendee.phoneNumber } : {}),
        language: input.attendee.language ?? 'en',
        absent: false,
      },
      guests: input.guests ?? [],
      notes: typeof fields.notes === 'string' ? fields.notes : '',
      location: toLocation(input.location, et.location ?? 'integrations:daily'),
      metadata: { ...(input.metadata ?? {}) },
      bookingFieldsResponses: { ...fields },
      createdAt: now,
      updatedAt: now,
      source,
    };
    this.bookings.push(booking);
    const trigger = booking.status === 'pending' ? 'BOOKING_REQUESTED' : 'BOOKING_CREATED';
    return { booking, event: { trigger, options: this.sampleOptions(booking) } };
  }

  confirm(uid: string): PendingEvent {
    const b = this.booking(uid);
    if (b.status !== 'pending') throw new ApiError(400, `Booking ${uid} is ${b.status}, not pending`);
    b.status = 'accepted';
    b.updatedAt = this.now().toISOString();
    return { trigger: 'BOOKING_CREATED', options: this.sampleOptions(b) };
  }

  reject(uid: string, reason: string | undefined): PendingEvent {
    const b = this.booking(uid);
    if (b.status !== 'pending') throw new ApiError(400, `Booking ${uid} is ${b.status}, not pending`);
    b.status = 'rejected';
    b.rejectionReason = reason;
    b.updatedAt = this.now().toISOString();
    const { metadata: _stored, ...options } = this.sampleOptions(b);
    return { trigger: 'BOOKING_REJECTED', options: { ...options, rejectionReason: reason } };
  }

  cancel(uid: string, opts: { reason?: string; cancelledBy?: string; requestReschedule?: boolean }): PendingEvent {
    const b = this.booking(uid);
    if (b.status === 'cancelled' || b.status === 'rejected') {
      throw new ApiError(400, 'This booking has already been cancelled.');
    }
    const cancelledBy = opts.cancelledBy ?? this.host.email;
    b.status = 'cancelled';
    b.cancellationReason = opts.reason;
    b.cancelledByEmail = cancelledBy;
    b.updatedAt = this.now().toISOString();
    // Cal.com's cancellation body is rebuilt from the stored row and carries no booking metadata.
    const { metadata: _stored, ...options } = this.sampleOptions(b);
    return {
      trigger: 'BOOKING_CANCELLED',
      options: {
        ...options,
        cancellationReason: opts.reason,
        cancelledBy,
        requestReschedule: opts.requestReschedule ?? false,
      },
    };
  }

  /** The old booking becomes cancelled with rescheduledToUid; a new booking (new uid and id) replaces it. */
  reschedule(
    uid: string,
    newStart: string,
    opts: { reason?: string; rescheduledBy?: string },
  ): { booking: StoredBooking; event: PendingEvent } {
    const old = this.booking(uid);
    if (old.status === 'cancelled' || old.status === 'rejected') {
      throw new ApiError(400, `Can't reschedule booking ${uid} because it is ${old.status}`);
    }
    const start = new Date(newStart);
    if (Number.isNaN(start.getTime())) throw new ApiError(400, 'start must be a valid ISO 8601 date string');
    const et = this.eventType(old.eventTypeId);
    const duration = Date.parse(old.end) - Date.parse(old.start);
    const now = this.now().toISOString();
    const rescheduledBy = opts.rescheduledBy ?? old.attendee.email;
    const booking: StoredBooking = {
      ...old,
      ...this.newIdentity(),
      attendee: { ...old.attendee },
      status: et.requiresConfirmation ? 'pending' : 'accepted',
      start: start.toISOString(),
      end: new Date(start.getTime() + duration).toISOString(),
      createdAt: now,
      updatedAt: now,
      rescheduledFromUid: old.uid,
      rescheduledToUid: undefined,
      reschedulingReason: opts.reason,
      rescheduledByEmail: rescheduledBy,
    };
    old.status = 'cancelled';
    old.rescheduledToUid = booking.uid;
    old.rescheduledByEmail = rescheduledBy;
    old.updatedAt = now;
    this.bookings.push(booking);
    // A reschedule of an event type that needs confirmation is announced as BOOKING_REQUESTED (issue #21169).
    const trigger = booking.status === 'pending' ? 'BOOKING_REQUESTED' : 'BOOKING_RESCHEDULED';
    return {
      booking,
      event: {
        trigger,
        options: {
          ...this.sampleOptions(booking),
          rescheduleUid: old.uid,
          rescheduleId: old.id,
          rescheduleStartTime: old.start,
          rescheduleEndTime: old.end,
          rescheduledBy,
          rescheduleReason: opts.reason,
        },
      },
    };
  }

  markNoShow(uid: string, noShow: boolean): PendingEvent {
    const b = this.booking(uid);
    b.attendee.absent = noShow;
    b.updatedAt = this.now().toISOString();
    return {
      trigger: 'BOOKING_NO_SHOW_UPDATED',
      options: { ...this.sampleOptions(b), noShow: [{ email: b.attendee.email, noShow }] },
    };
  }

  /** What buildCalcomBody needs to describe this booking as Cal.com's webhook would. */
  sampleOptions(b: StoredBooking): SampleOptions {
    const et = this.eventType(b.eventTypeId);
    const extraResponses = Object.fromEntries(
      Object.entries(b.bookingFieldsResponses).filter(([k]) => !SYSTEM_RESPONSE_FIELDS.has(k)),
    );
    return {
      uid: b.uid,
      bookingId: b.id,
      eventTypeId: et.id,
      eventTypeSlug: et.slug,
      eventTitle: et.title,
      title: b.title,
      startTime: b.start,
      endTime: b.end,
      lengthInMinutes: Math.round((Date.parse(b.end) - Date.parse(b.start)) / 60_000),
      organizer: { ...this.host },
      attendee: {
        name: b.attendee.name,
        email: b.attendee.email,
        timeZone: b.attendee.timeZone,
        phoneNumber: b.attendee.phoneNumber ?? null,
        locale: b.attendee.language,
      },
      guests: b.guests,
      notes: b.notes,
      location: b.location,
      metadata: { ...b.metadata },
      ...(Object.keys(extraResponses).length > 0 ? { extraResponses } : {}),
      requiresConfirmation: et.requiresConfirmation ?? false,
      createdAt: this.now().toISOString(),
      bookingCreatedAt: b.createdAt,
    };
  }
}
