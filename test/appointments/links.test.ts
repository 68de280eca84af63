// How an event finds its appointment beyond its own uid: our id in the booking's metadata, and the
// reschedule uids in either order.
import { describe, expect, it } from 'vitest';
import { orientReschedule, ownAppointmentIdOf, uidsOf, OWN_ID_METADATA_KEYS, type KnownUids } from '../../src/appointments/links.js';
import { cancelled, created, requestedReschedule, rescheduled } from './events.js';

const OLD = '3TuqHTQaDsZamFUC8T3tf9';
const NEW = '9eQaE2aDPCzRuokjrR4gGk';
const SENT = '2031-03-01T10:00:00.000Z';

describe('ownAppointmentIdOf', () => {
  const TABLE: [string, Record<string, unknown>, number | null][] = [
    ['calsync_appointment_id as Cal.com returns it (a string)', { calsync_appointment_id: '42' }, 42],
    ['calsync_appointment_id as a number', { calsync_appointment_id: 42 }, 42],
    ['surrounding spaces', { calsync_appointment_id: ' 42 ' }, 42],
    ['askpro_appointment_id (the older gateway)', { askpro_appointment_id: '7' }, 7],
    ['both keys: ours wins', { askpro_appointment_id: '7', calsync_appointment_id: '42' }, 42],
    ['ours unusable, askpro usable', { calsync_appointment_id: 'apt_42', askpro_appointment_id: '7' }, 7],
    ['no key', { videoCallUrl: 'https://app.cal.com/video/x' }, null],
    ['empty metadata', {}, null],
    ['zero', { calsync_appointment_id: '0' }, null],
    ['negative', { calsync_appointment_id: '-3' }, null],
    ['negative number', { calsync_appointment_id: -3 }, null],
    ['a fraction', { calsync_appointment_id: '4.5' }, null],
    ['a fractional number', { calsync_appointment_id: 4.5 }, null],
    ['not a number', { calsync_appointment_id: 'abc' }, null],
    ['empty string', { calsync_appointment_id: '' }, null],
    ['too many digits to be an id', { calsync_appointment_id: '1234567890123456' }, null],
    ['an object', { calsync_appointment_id: { id: 4 } }, null],
    ['a boolean', { calsync_appointment_id: true }, null],
    ['a similar but different key', { calsyncAppointmentId: '42' }, null],
  ];
  it.each(TABLE)('%s', (_name, metadata, expected) => {
    expect(ownAppointmentIdOf(metadata)).toBe(expected);
  });

  it('knows exactly the two documented keys', () => {
    expect([...OWN_ID_METADATA_KEYS]).toEqual(['calsync_appointment_id', 'askpro_appointment_id']);
  });
});

describe('orientReschedule', () => {
  const NEWER = 'Cx7hPq2LmN4rT8vW1yZ3aB';
  const OLD_TIMES = { startTime: '2031-03-12T14:00:00.000Z', endTime: '2031-03-12T14:30:00.000Z' };
  const NEW_TIMES = { startTime: '2031-03-19T15:00:00.000Z', endTime: '2031-03-19T15:30:00.000Z' };

  /** Knowledge of stored appointments: known uids, stored links (new -> previous), current uids' times. */
  function knowing(uids: string[], links: [string, string][] = [], current: Record<string, typeof OLD_TIMES> = {}): KnownUids {
    return {
      isKnown: (uid) => uids.includes(uid),
      predecessors: new Map(links),
      currentTimesOf: (uid) => current[uid] ?? null,
    };
  }

  it('turns around a reversed reschedule: uid is a known booking held at other times, rescheduleUid unknown', () => {
    // The older docs' form: uid = OLD, rescheduleUid = NEW, times = the NEW booking's.
    const reversed = rescheduled(OLD, NEW, SENT, NEW_TIMES);
    const oriented = orientReschedule(reversed, knowing([OLD], [], { [OLD]: OLD_TIMES }));
    expect(oriented.booking.uid).toBe(NEW);
    expect(oriented.previousUid).toBe(OLD);
    expect(oriented.booking.startTime).toBe(NEW_TIMES.startTime);
    expect(oriented.reason).toBe(reversed.reason);
    expect(reversed.booking.uid).toBe(OLD); // the input is not mutated
  });

  it('turns around a reversed reschedule that needs confirmation (BOOKING_REQUESTED)', () => {
    const oriented = orientReschedule(requestedReschedule(OLD, NEW, SENT, NEW_TIMES), knowing([OLD], [], { [OLD]: OLD_TIMES }));
    expect([oriented.booking.uid, oriented.previousUid]).toEqual([NEW, OLD]);
  });

  it('turns around a reversed message that extends a known chain at its tip', () => {
    // OLD was rescheduled to NEW; now "uid NEW, rescheduleUid NEWER": the real reading would give NEW two predecessors.
    const oriented = orientReschedule(rescheduled(NEW, NEWER, SENT, NEW_TIMES), knowing([OLD, NEW], [[NEW, OLD]], { [NEW]: NEW_TIMES }));
    expect([oriented.booking.uid, oriented.previousUid]).toEqual([NEWER, NEW]);
  });

  it('turns around a reversed message joining two known records when only that reading fits', () => {
    // OLD is one record; NEWER replaced NEW in another. "uid OLD, rescheduleUid NEW" can only mean OLD -> NEW.
    const oriented = orientReschedule(rescheduled(OLD, NEW, SENT), knowing([OLD, NEW, NEWER], [[NEWER, NEW]], { [OLD]: OLD_TIMES, [NEWER]: NEW_TIMES }));
    expect([oriented.booking.uid, oriented.previousUid]).toEqual([NEW, OLD]);
  });

  it('with two known records and no links, the times tell which booking the message describes', () => {
    const known = knowing([OLD, NEW], [], { [OLD]: OLD_TIMES, [NEW]: NEW_TIMES });
    const reversedMessage = orientReschedule(rescheduled(OLD, NEW, SENT, NEW_TIMES), known);
    expect([reversedMessage.booking.uid, reversedMessage.previousUid]).toEqual([NEW, OLD]);
    const realMessage = rescheduled(NEW, OLD, SENT, NEW_TIMES);
    expect(orientReschedule(realMessage, known)).toBe(realMessage);
  });

  it.each([
    ['the real order, original known', knowing([OLD], [], { [OLD]: OLD_TIMES })],
    ['neither uid known (cannot tell; the real order is assumed)', knowing([])],
    ['both uids known, and the real reading fits', knowing([OLD, NEW], [], { [NEW]: NEW_TIMES })],
    // A chain delivered newest first: NEW is known only as the rescheduleUid of a later reschedule.
    ['the new uid known as the predecessor of a later uid', knowing([NEW, NEWER], [[NEWER, NEW]], { [NEWER]: OLD_TIMES })],
    // A cancellation (or meeting end) of NEW arrived before NEW's reschedule: same booking, same times.
    ['the new uid known from an earlier message about it, at the same times', knowing([NEW], [], { [NEW]: NEW_TIMES })],
    ['the new uid known but not an appointment\'s current uid', knowing([NEW], [])],
  ])('leaves a real-order reschedule alone: %s', (_name, known) => {
    const real = rescheduled(NEW, OLD, SENT, NEW_TIMES);
    expect(orientReschedule(real, known)).toBe(real);
  });

  it('leaves events that are not reschedules alone, even with a previous uid', () => {
    const cancel = { ...cancelled(OLD, SENT), previousUid: NEW };
    expect(orientReschedule(cancel, knowing([OLD], [], { [OLD]: OLD_TIMES }))).toBe(cancel);
    const plain = created(OLD, SENT);
    expect(orientReschedule(plain, knowing([OLD]))).toBe(plain);
  });
});

describe('uidsOf', () => {
  it('names the event uid and the one it was rescheduled from', () => {
    expect(uidsOf(rescheduled(NEW, OLD, SENT))).toEqual([NEW, OLD]);
    expect(uidsOf(created(OLD, SENT))).toEqual([OLD]);
    expect(uidsOf({ ...created(OLD, SENT), previousUid: OLD })).toEqual([OLD]);
  });
});
