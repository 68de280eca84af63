// POST /api/appointments (Bearer): books through Cal.com API v2 with calsync's id in the booking metadata.
//
// 1. Validate the request (422 with the failing fields; nothing stored).
// 2. Store the appointment as pending (status requested, source calsync, no uid), so its id exists.
// 3. POST /v2/bookings with metadata {calsync_appointment_id, source: "calsync", ...the caller's}.
// 4. Record Cal.com's answer as a `snapshot` event through the intake (source `api`): the booking's uid is
//    linked to the appointment by our id in its metadata. The BOOKING_CREATED webhook Cal.com sends for it
//    finds the same appointment the same way, whichever of the two arrives first; nothing is duplicated.
// If Cal.com refuses or fails, the pending row is deleted in a transaction (unless a webhook echo linked it
// meanwhile, which proves the booking exists), so no half-made appointment remains: 422 calcom_rejected for
// Cal.com's 4xx about the request, 502 calcom_api_error for its 5xx, a timeout or no answer. Ids are never
// reused, so a late echo of a deleted attempt becomes an appointment of its own rather than landing on
// another one. The exception is a 2xx whose body calsync cannot read: Cal.com has booked, so the row is
// kept (502, with details.calcom_accepted) and the BOOKING_CREATED webhook links it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createBooking, type CreateBookingInput } from '../../calcom/api/bookings.js';
import type { CalcomApiClient } from '../../calcom/api/client.js';
import type { ApiBooking } from '../../calcom/api/schemas.js';
import { calcomAccepted } from '../../calcom/api/translate-error.js';
import { CalsyncError } from '../../errors.js';
import type { IncomingEvent, IntakeOutcome } from '../../intake/record-event.js';
import { snapshotIncoming } from '../../reconcile/snapshot-event.js';
import { selectAppointmentById } from '../../store/queries/appointments.js';
import { deletePendingAppointment, insertPendingAppointment } from '../../store/queries/calsync-bookings.js';
import type { Store } from '../../store/store.js';
import type { AppointmentView } from '../../store/appointment-view.js';
import { parseOrThrow } from '../validate.js';
import { presentRows } from '../appointment-views.js';

/** Cal.com's metadata limits (validate-metadata.ts): 50 keys, keys ≤ 40 chars, string values ≤ 500 chars. */
export const CALCOM_METADATA_MAX_KEYS = 50;
export const CALCOM_METADATA_MAX_KEY_CHARS = 40;
export const CALCOM_METADATA_MAX_VALUE_CHARS = 500;
/** Keys calsync itself puts in the metadata; calsync_appointment_id cannot be overridden. */
export const OWN_METADATA_KEYS = ['calsync_appointment_id', 'source'] as const;
const MAX_CALLER_METADATA_KEYS = CALCOM_METADATA_MAX_KEYS - OWN_METADATA_KEYS.length;
const MAX_GUESTS = 30;
const MAX_NOTES_CHARS = 5_000;
const MAX_TEXT_CHARS = 500;
/** A merged-record chain is short; this only bounds the walk. */
const MAX_MERGE_HOPS = 16;

const ISO_DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const emailField = z.string().trim().toLowerCase().pipe(z.email({ error: 'must be an email address' }));

export const createAppointmentBody = z
  .object({
    event_type_id: z.number({ error: 'must be a positive integer' }).int().positive(),
    start: z
      .string({ error: 'must be an ISO 8601 date-time with an offset' })
      .refine((s) => ISO_DATE_TIME_RE.test(s) && !Number.isNaN(Date.parse(s)), { error: 'must be an ISO 8601 date-time with an offset (Z or ±hh:mm)' })
      .transform((s) => new Date(s).toISOString()),
    attendee: z
      .object({
        name: z.string().trim().min(1, { error: 'must not be empty' }).max(MAX_TEXT_CHARS),
        email: emailField,
        time_zone: z.string().refine(isTimeZone, { error: 'must be an IANA time zone, e.g. Europe/Berlin' }),
        phone: z
          .string()
          .trim()
          .regex(/^\+[1-9]\d{6,14}$/, { error: 'must be a phone number in E.164 format, e.g. +4915123456789' })
          .optional(),
      })
      .strict(),
    notes: z.string().max(MAX_NOTES_CHARS).optional(),
    location: z.string().trim().min(1).max(MAX_TEXT_CHARS).optional(),
    metadata: z
      .record(
        z.string().min(1).max(CALCOM_METADATA_MAX_KEY_CHARS, { error: `keys must have at most ${CALCOM_METADATA_MAX_KEY_CHARS} characters` }),
        z.string({ error: 'values must be strings (Cal.com accepts only string metadata values)' }).max(CALCOM_METADATA_MAX_VALUE_CHARS, {
          error: `values must have at most ${CALCOM_METADATA_MAX_VALUE_CHARS} characters`,
        }),
      )
      .refine((m) => Object.keys(m).length <= MAX_CALLER_METADATA_KEYS, {
        error: `at most ${MAX_CALLER_METADATA_KEYS} keys (Cal.com allows ${CALCOM_METADATA_MAX_KEYS}, calsync uses ${OWN_METADATA_KEYS.length})`,
      })
      .refine((m) => !Object.hasOwn(m, 'calsync_appointment_id'), { error: 'calsync_appointment_id is set by calsync' })
      .optional(),
    guests: z.array(emailField).max(MAX_GUESTS).optional(),
  })
  .strict();

export type CreateAppointmentRequest = z.infer<typeof createAppointmentBody>;

export interface CreateAppointmentDeps {
  store: Store;
  intake: { submit(incoming: IncomingEvent): Promise<IntakeOutcome> };
  /** null when CALCOM_API_KEY is not set. */
  calcom: CalcomApiClient | null;
}

export async function createAppointmentRoutes(app: FastifyInstance, deps: CreateAppointmentDeps): Promise<void> {
  app.post('/api/appointments', async (request, reply) => {
    const client = deps.calcom;
    if (!client) throw new CalsyncError('calcom_not_configured', 'CALCOM_API_KEY is not set: calsync cannot create bookings in Cal.com');
    const req = parseOrThrow(createAppointmentBody, request.body);
    const appointmentId = await insertPendingAppointment(deps.store.db, pendingOf(req), new Date().toISOString());

    let booking: ApiBooking;
    try {
      booking = await createBooking(client, bookingInputOf(req, appointmentId));
    } catch (err) {
      // Booked, but the answer was unreadable: the row stays pending and Cal.com's webhook links it.
      if (calcomAccepted(err)) {
        request.log.error({ appointment_id: appointmentId, err }, 'Cal.com booked but its answer could not be read; its webhook will link the appointment');
        throw err;
      }
      let kept: AppointmentView | null;
      try {
        kept = await discardPending(deps.store, appointmentId);
      } catch (cleanupError) {
        request.log.error({ appointment_id: appointmentId, err: cleanupError }, 'could not remove the pending appointment after Cal.com failed');
        throw err;
      }
      if (kept === null) throw err;
      request.log.warn({ appointment_id: appointmentId, err }, 'Cal.com call failed but its webhook proved the booking exists; keeping it');
      return reply.code(201).send(kept);
    }

    const outcome = await deps.intake.submit(snapshotIncoming(booking, 'api', 'POST /v2/bookings'));
    // A skipped or parked outcome cannot happen for a full booking; the pending row is the answer then.
    const recordedId = outcome.status === 'processed' ? outcome.appointmentId : appointmentId;
    request.log.info({ appointment_id: recordedId, uid: booking.uid, result: outcome.status }, 'booking created through Cal.com');
    const view = await presentById(deps.store, recordedId);
    if (!view) throw new Error(`appointment ${recordedId} vanished after its booking was recorded`);
    return reply.code(201).send(view);
  });
}

function pendingOf(req: CreateAppointmentRequest) {
  return {
    eventTypeId: req.event_type_id,
    startTime: req.start,
    attendees: [
      { name: req.attendee.name, email: req.attendee.email, timeZone: req.attendee.time_zone },
      ...(req.guests ?? []).map((email) => ({ name: null, email, timeZone: null })),
    ],
    phone: req.attendee.phone ?? null,
    notes: req.notes ?? null,
    location: req.location ?? null,
    metadata: { source: 'calsync', ...(req.metadata ?? {}) },
  };
}

function bookingInputOf(req: CreateAppointmentRequest, appointmentId: number): CreateBookingInput {
  return {
    eventTypeId: req.event_type_id,
    start: req.start,
    attendee: {
      name: req.attendee.name,
      email: req.attendee.email,
      timeZone: req.attendee.time_zone,
      ...(req.attendee.phone ? { phoneNumber: req.attendee.phone } : {}),
    },
    ...(req.guests && req.guests.length > 0 ? { guests: req.guests } : {}),
    ...(req.location ? { location: req.location } : {}),
    ...(req.notes ? { bookingFieldsResponses: { notes: req.notes } } : {}),
    metadata: { calsync_appointment_id: String(appointmentId), source: 'calsync', ...(req.metadata ?? {}) },
  };
}

/**
 * Deletes the pending row in one transaction, locked against a concurrent fold. Returns the appointment
 * instead when a webhook echo linked it before we got here (Cal.com booked it after all, e.g. it answered
 * too late), or null when it was deleted.
 */
async function discardPending(store: Store, appointmentId: number): Promise<AppointmentView | null> {
  const deleted = await store.db.transaction().execute(async (trx) => {
    await store.locks.appointments(trx, [appointmentId]);
    return deletePendingAppointment(trx, appointmentId);
  });
  return deleted ? null : presentById(store, appointmentId);
}

async function presentById(store: Store, id: number): Promise<AppointmentView | null> {
  let row = await selectAppointmentById(store.db, id);
  for (let hop = 0; row && row.merged_into !== null && hop < MAX_MERGE_HOPS; hop++) row = await selectAppointmentById(store.db, row.merged_into);
  if (!row) return null;
  const [view] = await presentRows(store, [row]);
  return view ?? null;
}
