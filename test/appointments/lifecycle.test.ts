// The fold that turns one booking's events into its appointment, tested without I/O. The central property:
// whatever order Cal.com's messages arrive in (ids are arrival order, as in the event log), the state is
// the one the natural order gives, and that state is the right one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actionOf,
  applyEvent,
  canCreateFrom,
  deriveAppointment,
  naturalOrder,
  uidChain,
  type AppointmentState,
} from '../../src/appointments/lifecycle.js';
import type { AppointmentStatus, DomainEvent, EventKind } from '../../src/appointments/types.js';
import {
  arrived,
  ATTENDEE,
  bareFacts,
  cancelled,
  confirmed,
  created,
  event,
  facts,
  GUEST,
  meetingEnded,
  meetingStarted,
  noShowUpdated,
  ORGANIZER,
  paid,
  paymentInitiated,
  permutations,
  rejected,
  requested,
  requestedReschedule,
  rescheduled,
  sendTimes,
} from './events.js';

const A = '3TuqHTQaDsZamFUC8T3tf9';
const B = '9eQaE2aDPCzRuokjrR4gGk';
const C = 'Cx7hPq2LmN4rT8vW1yZ3aB';
const D = 'Dk5sFg9HjL2mN6pQ8rS4tU';

const SLOT_A = { startTime: '2031-03-12T14:00:00.000Z', endTime: '2031-03-12T14:30:00.000Z', bookingId: 4127 };
const SLOT_B = { startTime: '2031-03-13T09:00:00.000Z', endTime: '2031-03-13T09:30:00.000Z', bookingId: 4133 };
const SLOT_C = { startTime: '2031-03-15T16:00:00.000Z', endTime: '2031-03-15T16:30:00.000Z', bookingId: 4140 };
const SLOT_D = { startTime: '2031-03-20T08:00:00.000Z', endTime: '2031-03-20T08:30:00.000Z', bookingId: 4151 };

interface Scenario {
  name: string;
  /** The events in the order Cal.com produces them. */
  natural: DomainEvent[];
  expected: Partial<AppointmentState>;
}

const t = sendTimes(10);
const at = (i: number) => t[i] as string;

const SCENARIOS: Scenario[] = [
  {
    name: 'requested -> created (host confirms)',
    natural: [requested(A, at(0)), created(A, at(1))],
    expected: { uid: A, status: 'accepted', previousUids: [], metadata: { videoCallUrl: `https://app.cal.com/video/${A}` } },
  },
  {
    name: 'requested -> confirmed (legacy BOOKING_CONFIRMED)',
    natural: [requested(A, at(0)), confirmed(A, at(1))],
    expected: { uid: A, status: 'accepted' },
  },
  {
    name: 'requested -> rejected',
    natural: [requested(A, at(0)), rejected(A, at(1))],
    expected: { status: 'rejected', rejectionReason: 'Fully booked', title: facts(A).title },
  },
  {
    name: 'created -> cancelled',
    natural: [created(A, at(0)), cancelled(A, at(1))],
    expected: { status: 'cancelled', cancellationReason: 'Something came up', cancelledBy: ATTENDEE.email, requestReschedule: false },
  },
  {
    name: 'created -> cancelled by a host asking to reschedule',
    natural: [created(A, at(0)), cancelled(A, at(1), { requestReschedule: true })],
    expected: { status: 'cancelled', requestReschedule: true, cancelledBy: ORGANIZER.email },
  },
  {
    name: 'created -> cancelled {uid only}: the partial message erases no fact',
    natural: [created(A, at(0)), cancelled(A, at(1), { partial: true })],
    expected: {
      status: 'cancelled',
      ...facts(A),
      attendees: [{ ...ATTENDEE, noShow: false }],
      organizer: ORGANIZER,
      previousUids: [],
    },
  },
  {
    name: 'payment_initiated -> paid -> created',
    natural: [paymentInitiated(A, at(0)), paid(A, at(1)), created(A, at(2))],
    expected: { status: 'accepted', payment: { status: 'paid', paymentId: '981' }, metadata: { videoCallUrl: `https://app.cal.com/video/${A}` } },
  },
  {
    name: 'created -> meeting_started -> meeting_ended -> no_show_updated',
    natural: [created(A, at(0)), meetingStarted(A), meetingEnded(A), noShowUpdated(A, at(3), [{ email: ATTENDEE.email, noShow: true }])],
    expected: { status: 'completed', noShow: true, attendees: [{ ...ATTENDEE, noShow: true }] },
  },
  {
    name: 'created -> rescheduled (new uid) -> rescheduled again',
    natural: [created(A, at(0), SLOT_A), rescheduled(B, A, at(1), SLOT_B), rescheduled(C, B, at(2), SLOT_C, 'Clash at work')],
    expected: { uid: C, previousUids: [A, B], status: 'accepted', ...SLOT_C, rescheduleReason: 'Clash at work', rescheduledBy: ATTENDEE.email },
  },
  {
    name: 'created -> rescheduled -> rescheduled -> cancelled',
    natural: [
      created(A, at(0), SLOT_A),
      rescheduled(B, A, at(1), SLOT_B),
      rescheduled(C, B, at(2), SLOT_C),
      cancelled(C, at(3), { over: SLOT_C }),
    ],
    expected: { uid: C, previousUids: [A, B], status: 'cancelled', ...SLOT_C, cancellationReason: 'Something came up' },
  },
  {
    name: 'a chain of four uids',
    natural: [created(A, at(0), SLOT_A), rescheduled(B, A, at(1), SLOT_B), rescheduled(C, B, at(2), SLOT_C), rescheduled(D, C, at(3), SLOT_D)],
    expected: { uid: D, previousUids: [A, B, C], status: 'accepted', ...SLOT_D },
  },
  {
    name: 'created -> reschedule needing confirmation (BOOKING_REQUESTED with previous uid) -> created',
    natural: [created(A, at(0), SLOT_A), requestedReschedule(B, A, at(1), SLOT_B), created(B, at(2), SLOT_B)],
    expected: { uid: B, previousUids: [A], status: 'accepted', ...SLOT_B, rescheduleReason: 'Need a later slot' },
  },
  {
    name: 'created -> reschedule needing confirmation, not confirmed yet',
    natural: [created(A, at(0), SLOT_A), requestedReschedule(B, A, at(1), SLOT_B)],
    expected: { uid: B, previousUids: [A], status: 'requested', ...SLOT_B },
  },
  {
    name: 'created -> host requests a reschedule (cancel) -> the attendee rebooks',
    natural: [created(A, at(0), SLOT_A), cancelled(A, at(1), { requestReschedule: true, over: SLOT_A }), rescheduled(B, A, at(2), SLOT_B)],
    expected: { uid: B, previousUids: [A], status: 'accepted', ...SLOT_B, requestReschedule: false, cancellationReason: null, cancelledBy: null },
  },
  {
    name: 'no-show flags per attendee, set then changed',
    natural: [
      created(A, at(0), { attendees: [{ ...ATTENDEE }, { ...GUEST }] }),
      noShowUpdated(A, at(1), [{ email: ATTENDEE.email, noShow: true }]),
      noShowUpdated(A, at(2), [
        { email: ATTENDEE.email, noShow: false },
        { email: GUEST.email, noShow: true },
      ]),
    ],
    expected: {
      noShow: true,
      attendees: [
        { ...ATTENDEE, noShow: false },
        { ...GUEST, noShow: true },
      ],
    },
  },
  {
    name: 'no-show flags cleared for everyone',
    natural: [
      created(A, at(0)),
      noShowUpdated(A, at(1), [{ email: ATTENDEE.email, noShow: true }]),
      noShowUpdated(A, at(2), [{ email: ATTENDEE.email, noShow: false }]),
    ],
    expected: { noShow: false, attendees: [{ ...ATTENDEE, noShow: false }] },
  },
];

function fold(events: readonly DomainEvent[]): AppointmentState | null {
  return deriveAppointment(arrived(events));
}

/** What a plain left fold in natural order gives, written out without deriveAppointment's machinery. */
function foldByHand(natural: readonly DomainEvent[]): AppointmentState {
  const [first] = natural.filter(canCreateFrom);
  if (!first) throw new Error('scenario has no event that can start an appointment');
  let state = deriveAppointment(arrived([first])) as AppointmentState;
  for (const e of natural) state = applyEvent(state, e);
  return state;
}

function subsetsOfTwo<T>(items: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) out.push([items[i] as T, items[j] as T]);
  return out;
}

describe('deriveAppointment: every arrival order converges on the natural order', () => {
  describe.each(SCENARIOS)('$name', ({ natural, expected }) => {
    const reference = fold(natural);

    it('the natural order gives the expected state', () => {
      expect(reference).not.toBeNull();
      expect(reference).toMatchObject(expected);
    });

    it('equals a plain fold of the events in natural order', () => {
      const byHand = foldByHand(natural);
      // deriveAppointment also settles the uid chain; the rest of the state is the fold's.
      expect({ ...reference, uid: null, previousUids: null }).toEqual({ ...byHand, uid: null, previousUids: null });
    });

    it(`every one of the ${permutations(natural).length} arrival orders folds to the same state`, () => {
      for (const order of permutations(natural)) expect(fold(order)).toEqual(reference);
    });

    it('every pair of its events, in both orders, folds like the pair in natural order', () => {
      for (const [first, second] of subsetsOfTwo(natural)) {
        const inOrder = fold([first, second]);
        expect(fold([second, first])).toEqual(inOrder);
      }
    });

    it('an event delivered twice counts once', () => {
      natural.forEach((e, i) => {
        const withRepeat = [...natural.slice(0, i + 1), structuredClone(e), ...natural.slice(i + 1)];
        expect(fold(withRepeat)).toEqual(reference);
      });
    });
  });
});

describe('deriveAppointment over a long, generated lifecycle (fast-check)', () => {
  // One booking's whole life: paid for, confirmed, rescheduled twice (the second needing confirmation),
  // held, marked no-show. 11 events: far too many orders to list, so fast-check samples them.
  const LIFE: DomainEvent[] = [
    paymentInitiated(A, at(0)),
    paid(A, at(1)),
    created(A, at(2), SLOT_A),
    noShowUpdated(A, at(3), [{ email: ATTENDEE.email, noShow: false }], SLOT_A.bookingId),
    rescheduled(B, A, at(4), SLOT_B),
    requestedReschedule(C, B, at(5), SLOT_C),
    created(C, at(6), SLOT_C),
    meetingStarted(C, SLOT_C),
    meetingEnded(C, SLOT_C),
    noShowUpdated(C, at(7), [{ email: ATTENDEE.email, noShow: true }], SLOT_C.bookingId),
    noShowUpdated(C, at(8), [{ email: GUEST.email, noShow: true }], SLOT_C.bookingId),
  ];
  const indices = LIFE.map((_, i) => i);

  it('the whole life in natural order ends completed at the last uid, with every earlier uid kept', () => {
    expect(fold(LIFE)).toMatchObject({
      uid: C,
      previousUids: [A, B],
      status: 'completed',
      ...SLOT_C,
      noShow: true,
      payment: { status: 'paid', paymentId: '981' },
      attendees: [
        { ...ATTENDEE, noShow: true },
        { name: null, email: GUEST.email, timeZone: null, noShow: true },
      ],
    });
  });

  it('any arrival order of the whole life gives the natural order state', () => {
    const reference = fold(LIFE);
    fc.assert(
      fc.property(fc.shuffledSubarray(indices, { minLength: LIFE.length, maxLength: LIFE.length }), (order) => {
        expect(fold(order.map((i) => LIFE[i] as DomainEvent))).toEqual(reference);
      }),
      { numRuns: 400 },
    );
  });

  it('any subset, in any arrival order, with repeats, gives that subset in natural order', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(indices, { minLength: 1 }),
        fc.array(fc.nat({ max: LIFE.length - 1 }), { maxLength: 3 }),
        (order, repeats) => {
          const chosen = new Set(order);
          const inNaturalOrder = indices.filter((i) => chosen.has(i)).map((i) => LIFE[i] as DomainEvent);
          const arrivals = [...order, ...repeats.filter((r) => chosen.has(r))].map((i) => structuredClone(LIFE[i] as DomainEvent));
          expect(fold(arrivals)).toEqual(fold(inNaturalOrder));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('deriveAppointment: what an appointment can start from', () => {
  it('is null when no event describes the booking (a no-show update, a {uid} cancellation)', () => {
    expect(fold([noShowUpdated(A, at(0), [{ email: ATTENDEE.email, noShow: true }])])).toBeNull();
    expect(fold([cancelled(A, at(0), { partial: true })])).toBeNull();
    expect(fold([cancelled(A, at(0), { partial: true }), noShowUpdated(A, at(1), [])])).toBeNull();
  });

  it('a cancellation with the full booking, before its creation, is enough: the booking ends cancelled', () => {
    const cancelFirst = fold([cancelled(A, at(1))]);
    expect(cancelFirst).toMatchObject({ uid: A, status: 'cancelled', ...SLOT_A, title: facts(A).title });
    expect(fold([cancelled(A, at(1)), created(A, at(0))])).toEqual(fold([created(A, at(0)), cancelled(A, at(1))]));
  });

  it('a MEETING_ENDED before the creation gives a completed appointment, and the creation does not reopen it', () => {
    expect(fold([meetingEnded(A)])).toMatchObject({ status: 'completed', uid: A });
    expect(fold([meetingEnded(A), created(A, at(0))])).toMatchObject({ status: 'completed' });
  });

  it('a parked no-show applies once the booking arrives, whatever came first', () => {
    const flag = noShowUpdated(A, at(5), [{ email: ATTENDEE.email, noShow: true }]);
    expect(fold([flag, created(A, at(0))])).toMatchObject({ noShow: true, attendees: [{ ...ATTENDEE, noShow: true }] });
  });

  it('a flag for someone the booking does not list yet is kept until the booking names them', () => {
    const flag = noShowUpdated(A, at(5), [{ email: GUEST.email, noShow: true }]);
    const state = fold([created(A, at(0)), flag]);
    expect(state?.attendees).toEqual([
      { ...ATTENDEE, noShow: false },
      { name: null, email: GUEST.email, timeZone: null, noShow: true },
    ]);
    expect(state?.noShow).toBe(true);
  });

  it('a reschedule of a booking never seen starts the appointment at the new uid, remembering the old one', () => {
    expect(fold([rescheduled(B, A, at(1), SLOT_B)])).toMatchObject({ uid: B, previousUids: [A], status: 'accepted', ...SLOT_B });
  });
});

describe('applyEvent', () => {
  const base = fold([created(A, at(0))]) as AppointmentState;
  const ALL_KINDS: DomainEvent[] = [
    requested(A, at(1)),
    created(A, at(1)),
    confirmed(A, at(1)),
    rescheduled(B, A, at(1), SLOT_B),
    requestedReschedule(B, A, at(1), SLOT_B),
    cancelled(A, at(1)),
    cancelled(A, at(1), { requestReschedule: true }),
    cancelled(A, at(1), { partial: true }),
    rejected(A, at(1)),
    paymentInitiated(A, at(1)),
    paid(A, at(1)),
    meetingStarted(A),
    meetingEnded(A),
    noShowUpdated(A, at(1), [{ email: ATTENDEE.email, noShow: true }]),
    event('snapshot', facts(A), { snapshotStatus: 'cancelled' }),
  ];

  it.each(ALL_KINDS.map((e) => [`${e.kind}${e.previousUid ? ' (reschedule)' : ''}${e.requestReschedule ? ' (request reschedule)' : ''}`, e] as const))(
    'applying %s twice equals applying it once',
    (_name, e) => {
      const once = applyEvent(base, e);
      expect(applyEvent(once, e)).toEqual(once);
    },
  );

  it('does not mutate the state it is given', () => {
    const before = structuredClone(base);
    for (const e of ALL_KINDS) applyEvent(base, e);
    expect(base).toEqual(before);
  });

  const STATUS_AFTER: [EventKind, AppointmentStatus][] = [
    ['requested', 'requested'],
    ['created', 'accepted'],
    ['confirmed', 'accepted'],
    ['rescheduled', 'accepted'],
    ['cancelled', 'cancelled'],
    ['rejected', 'rejected'],
    ['meeting_ended', 'completed'],
    ['paid', 'accepted'],
  ];
  it.each(STATUS_AFTER)('%s moves the appointment to %s', (kind, status) => {
    expect(applyEvent(base, event(kind, facts(A))).status).toBe(status);
  });

  it.each(['payment_initiated', 'no_show_updated'] as const)('%s leaves the status alone', (kind) => {
    const pending = { ...base, status: 'requested' as const };
    expect(applyEvent(pending, event(kind, bareFacts(A), { noShow: [] })).status).toBe('requested');
  });

  it('meeting_started means the booking was accepted (Cal.com schedules it only for accepted bookings)', () => {
    const pending = { ...base, status: 'requested' as const };
    expect(applyEvent(pending, event('meeting_started', bareFacts(A))).status).toBe('accepted');
    const cancelledState = { ...base, status: 'cancelled' as const };
    expect(applyEvent(cancelledState, event('meeting_started', bareFacts(A))).status).toBe('cancelled');
  });

  it('leaving the cancelled status clears the cancellation facts', () => {
    const gone = applyEvent(base, cancelled(A, at(1), { requestReschedule: true }));
    expect(gone).toMatchObject({ cancellationReason: 'Something came up', requestReschedule: true });
    expect(applyEvent(gone, rescheduled(B, A, at(2), SLOT_B))).toMatchObject({
      status: 'accepted',
      cancellationReason: null,
      cancelledBy: null,
      requestReschedule: false,
    });
  });

  it('a payment initiated after it was paid does not undo the payment', () => {
    const paidState = applyEvent(base, paid(A, at(1)));
    expect(applyEvent(paidState, paymentInitiated(A, at(2))).payment).toEqual({ status: 'paid', paymentId: '981' });
  });

  it('later messages keep the attendee no-show flags for known emails', () => {
    const flagged = applyEvent(base, noShowUpdated(A, at(1), [{ email: ATTENDEE.email, noShow: true }]));
    expect(applyEvent(flagged, cancelled(A, at(2))).attendees).toEqual([{ ...ATTENDEE, noShow: true }]);
  });

  it('metadata from several messages is merged, not replaced', () => {
    const withOwnId = applyEvent(base, created(A, at(1), { metadata: { calsync_appointment_id: '7' } }));
    expect(withOwnId.metadata).toEqual({ videoCallUrl: `https://app.cal.com/video/${A}`, calsync_appointment_id: '7' });
  });
});

describe('actionOf', () => {
  const TABLE: [string, DomainEvent, AppointmentStatus | null, string][] = [
    ['a new booking', created(A, at(0)), null, 'created'],
    ['a creation of a pending booking (confirmation)', created(A, at(0)), 'requested', 'confirmed'],
    ['a creation of an accepted booking', created(A, at(0)), 'accepted', 'created'],
    ['the legacy BOOKING_CONFIRMED', confirmed(A, at(0)), 'requested', 'confirmed'],
    ['a request', requested(A, at(0)), null, 'requested'],
    ['a request that reschedules', requestedReschedule(B, A, at(0)), 'accepted', 'rescheduled'],
    ['a reschedule', rescheduled(B, A, at(0)), 'accepted', 'rescheduled'],
    ['a cancellation', cancelled(A, at(0)), 'accepted', 'cancelled'],
    ['a rejection', rejected(A, at(0)), 'requested', 'rejected'],
    ['a meeting start', meetingStarted(A), 'accepted', 'started'],
    ['a meeting end', meetingEnded(A), 'accepted', 'completed'],
    ['a no-show update', noShowUpdated(A, at(0), []), 'completed', 'no_show'],
    ['a payment started', paymentInitiated(A, at(0)), null, 'payment_initiated'],
    ['a payment', paid(A, at(0)), 'requested', 'paid'],
    ['a reconciliation snapshot', event('snapshot', facts(A), { snapshotStatus: 'accepted' }), 'accepted', 'reconciled'],
  ];
  it.each(TABLE)('%s -> %s', (_name, e, before, action) => {
    expect(actionOf(e, before)).toBe(action);
  });
});

describe('canCreateFrom', () => {
  const TABLE: [string, DomainEvent, boolean][] = [
    ['a full creation', created(A, at(0)), true],
    ['a request', requested(A, at(0)), true],
    ['a reschedule', rescheduled(B, A, at(0)), true],
    ['a full cancellation', cancelled(A, at(0)), true],
    ['a cancellation naming only the uid', cancelled(A, at(0), { partial: true }), false],
    ['a meeting end (booking row)', meetingEnded(A), true],
    ['a payment started', paymentInitiated(A, at(0)), true],
    ['a no-show update, even with times', event('no_show_updated', facts(A), { noShow: [] }), false],
    ['a creation without an end time', event('created', facts(A, { endTime: null })), false],
    ['a creation without a start time', event('created', facts(A, { startTime: null })), false],
    ['a creation with neither organizer nor attendees', event('created', facts(A, { organizer: null, attendees: [] })), false],
    ['a creation with only an organizer', event('created', facts(A, { attendees: [] })), true],
    ['a creation with only attendees', event('created', facts(A, { organizer: null })), true],
  ];
  it.each(TABLE)('%s -> %s', (_name, e, expected) => {
    expect(canCreateFrom(e)).toBe(expected);
  });
});

describe('naturalOrder and uidChain', () => {
  it('orders by chain depth first, then lifecycle rank, then send time', () => {
    const events = [cancelled(C, at(0)), created(A, at(9)), rescheduled(C, B, at(1)), rescheduled(B, A, at(2)), requested(A, at(8))];
    const kinds = naturalOrder(arrived(events)).map((e) => `${e.event.kind}:${e.event.booking.uid}`);
    expect(kinds).toEqual([`requested:${A}`, `created:${A}`, `rescheduled:${B}`, `rescheduled:${C}`, `cancelled:${C}`]);
  });

  it('falls back to the log id when everything else ties', () => {
    const one = created(A, at(0), { title: 'first' });
    const two = created(A, at(0), { title: 'second' });
    expect(naturalOrder([{ id: 2, event: two }, { id: 1, event: one }]).map((e) => e.id)).toEqual([1, 2]);
  });

  it('lists the chain oldest first whichever order the links arrived in', () => {
    const links = [rescheduled(D, C, at(3)), rescheduled(B, A, at(1)), rescheduled(C, B, at(2))];
    for (const order of permutations(links)) expect(uidChain(arrived(order))).toEqual([A, B, C, D]);
  });

  it('survives a cycle in the links (a reversed message mixed with a real one)', () => {
    const state = fold([created(A, at(0)), rescheduled(B, A, at(1), SLOT_B), rescheduled(A, B, at(2))]);
    expect(state).not.toBeNull();
    expect(new Set([state?.uid, ...(state?.previousUids ?? [])])).toEqual(new Set([A, B]));
  });
});
