// Every Graph pattern type ↔ Oro recurrenceType, both ways, and the rules one side cannot hold.
import { ruleFromOro, ruleToOro, type OroRecurrence } from '../../src/crm/recurrence';
import { ruleFromGraph, ruleToGraph, type GraphRecurrence } from '../../src/outlook/recurrence';
import { RecurrenceNotExpressibleError, type RecurrenceRule } from '../../src/sync/recurrence';

const ZONE = 'Europe/Berlin';
// 10:00 Berlin (CEST, UTC+2) on Monday 2026-06-01.
const MASTER_START = '2026-06-01T08:00:00Z';

const rule = (over: Partial<RecurrenceRule>): RecurrenceRule => ({
  type: 'daily',
  interval: 1,
  daysOfWeek: [],
  dayOfMonth: null,
  month: null,
  index: null,
  firstDayOfWeek: 'sunday',
  startDate: '2026-06-01',
  endDate: null,
  occurrences: null,
  timeZone: ZONE,
  ...over,
});

const CASES: Array<{ name: string; rule: RecurrenceRule; oro: Partial<OroRecurrence> }> = [
  { name: 'daily every 3 days, no end', rule: rule({ type: 'daily', interval: 3 }), oro: { recurrenceType: 'daily', interval: 3, endTime: null, occurrences: null } },
  {
    name: 'weekly on Monday and Wednesday, 10 occurrences',
    rule: rule({ type: 'weekly', daysOfWeek: ['monday', 'wednesday'], occurrences: 10 }),
    oro: { recurrenceType: 'weekly', interval: 1, dayOfWeek: ['monday', 'wednesday'], occurrences: 10 },
  },
  {
    name: 'absoluteMonthly on the 15th every 2 months, until a date',
    rule: rule({ type: 'absoluteMonthly', interval: 2, dayOfMonth: 15, endDate: '2026-12-31' }),
    // The end of the last day in the rule's zone: 23:59:59 CET = 22:59:59Z.
    oro: { recurrenceType: 'monthly', interval: 2, dayOfMonth: 15, endTime: '2026-12-31T22:59:59Z' },
  },
  {
    name: 'relativeMonthly on the last Friday',
    rule: rule({ type: 'relativeMonthly', daysOfWeek: ['friday'], index: 'last' }),
    oro: { recurrenceType: 'monthnth', interval: 1, instance: 5, dayOfWeek: ['friday'] },
  },
  {
    name: 'absoluteYearly on 1 June every 2 years',
    rule: rule({ type: 'absoluteYearly', interval: 2, dayOfMonth: 1, month: 6 }),
    oro: { recurrenceType: 'yearly', interval: 24, dayOfMonth: 1, monthOfYear: 6 },
  },
  {
    name: 'relativeYearly on the second Monday of June',
    rule: rule({ type: 'relativeYearly', daysOfWeek: ['monday'], index: 'second', month: 6 }),
    oro: { recurrenceType: 'yearnth', interval: 12, instance: 2, dayOfWeek: ['monday'], monthOfYear: 6 },
  },
];

describe('recurrence pattern mapping', () => {
  it.each(CASES)('$name: canonical → Oro → canonical and canonical → Graph → canonical', ({ rule: r, oro }) => {
    const toOro = ruleToOro(r, MASTER_START);
    expect(toOro).toMatchObject({ ...oro, startTime: MASTER_START, timeZone: ZONE });
    expect(ruleFromOro(toOro)).toEqual(r);
    const toGraph = ruleToGraph(r);
    expect(ruleFromGraph(toGraph, 'UTC')).toEqual(r);
    // Across: what Oro holds reads the same as what Outlook holds.
    expect(ruleFromGraph(ruleToGraph(ruleFromOro(toOro)), 'UTC')).toEqual(ruleFromOro(toOro));
  });

  it('reads Graph answers as Graph writes them: unused numbers 0, capitalised names, no-end date 0001-01-01, zone defaulting to the event', () => {
    const answered: GraphRecurrence = {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['Wednesday', 'Monday'], dayOfMonth: 0, month: 0, index: 'first', firstDayOfWeek: 'Sunday' },
      range: { type: 'NoEnd' as 'noEnd', startDate: '2026-06-01', endDate: '0001-01-01', numberOfOccurrences: 0, recurrenceTimeZone: '' },
    };
    expect(ruleFromGraph(answered, ZONE)).toEqual(rule({ type: 'weekly', daysOfWeek: ['monday', 'wednesday'] }));
  });

  it('reads an Oro single-event GET (lower-case `timezone` is the caller’s to rename) with +00:00 offsets', () => {
    const oro: OroRecurrence = { recurrenceType: 'weekly', interval: 2, instance: null, dayOfWeek: ['tuesday'], dayOfMonth: null, monthOfYear: null, startTime: '2026-06-01T08:00:00+00:00', endTime: null, occurrences: 4, timeZone: ZONE };
    expect(ruleFromOro(oro)).toEqual(rule({ type: 'weekly', interval: 2, daysOfWeek: ['tuesday'], occurrences: 4 }));
  });

  it('first day of the week matters only for a multi-day weekly rule that skips weeks', () => {
    expect(ruleFromGraph({ pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'friday'], firstDayOfWeek: 'monday' }, range: { type: 'noEnd', startDate: '2026-06-01' } }, ZONE).firstDayOfWeek).toBe('sunday');
    const mondayWeeks = rule({ type: 'weekly', interval: 2, daysOfWeek: ['monday', 'friday'], firstDayOfWeek: 'monday' });
    // Monday..Friday lie in one Sunday-started week too: Oro can hold it, and reads it back Sunday-started.
    expect(ruleFromOro(ruleToOro(mondayWeeks, MASTER_START))).toEqual({ ...mondayWeeks, firstDayOfWeek: 'sunday' });
  });

  describe('what OroCRM cannot hold is refused, never approximated', () => {
    it('every 2 weeks on Sunday and Monday with weeks starting Monday (Oro groups weeks from Sunday)', () => {
      const r = rule({ type: 'weekly', interval: 2, daysOfWeek: ['sunday', 'monday'], firstDayOfWeek: 'monday' });
      expect(() => ruleToOro(r, MASTER_START)).toThrow(RecurrenceNotExpressibleError);
      expect(() => ruleToOro(r, MASTER_START)).toThrow(/weeks start on monday/);
    });
    it('an interval over Oro’s 999 (yearly: 83 years, as Oro counts months)', () => {
      expect(() => ruleToOro(rule({ type: 'daily', interval: 1000 }), MASTER_START)).toThrow(RecurrenceNotExpressibleError);
      expect(() => ruleToOro(rule({ type: 'absoluteYearly', interval: 84, dayOfMonth: 1, month: 6 }), MASTER_START)).toThrow(RecurrenceNotExpressibleError);
      expect(ruleToOro(rule({ type: 'absoluteYearly', interval: 83, dayOfMonth: 1, month: 6 }), MASTER_START).interval).toBe(996);
    });
  });

  it('what Outlook cannot hold is refused: a weekly rule without days', () => {
    expect(() => ruleToGraph(rule({ type: 'weekly', daysOfWeek: [] }))).toThrow(RecurrenceNotExpressibleError);
  });
});
