import { expandStarts } from '../../src/outlook/series';
import type { RecurrenceRule } from '../../src/sync/recurrence';
import { occurrenceDates } from '../emulators/common/recurrence';

const rule = (patch: Partial<RecurrenceRule>): RecurrenceRule => ({
  type: 'absoluteMonthly',
  interval: 1,
  daysOfWeek: [],
  dayOfMonth: 31,
  month: null,
  index: null,
  firstDayOfWeek: 'sunday',
  startDate: '2027-01-31',
  endDate: null,
  occurrences: 6,
  timeZone: 'UTC',
  ...patch,
});

/** The add-in's expansion, as dates. */
const clientDates = (r: RecurrenceRule) => expandStarts(r, { start: `${r.startDate}T09:00:00Z`, allDay: false }, Date.parse('2040-01-01T00:00:00Z')).map((s) => s.slice(0, 10));

describe('occurrences on a day the month lacks fall on its last day (Outlook and Oro alike)', () => {
  test('monthly on the 31st: the last day of February, April and June', () => {
    const expected = ['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31', '2027-06-30'];
    expect(clientDates(rule({}))).toEqual(expected);
    expect(occurrenceDates(rule({}), '2040-01-01')).toEqual(expected);
  });

  test('yearly on 29 February: 28 February outside leap years', () => {
    const r = rule({ type: 'absoluteYearly', month: 2, dayOfMonth: 29, startDate: '2028-02-29', occurrences: 5 });
    const expected = ['2028-02-29', '2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29'];
    expect(clientDates(r)).toEqual(expected);
    expect(occurrenceDates(r, '2040-01-01')).toEqual(expected);
  });

  test('the 30th every two months stays the 30th where the month has it', () => {
    const r = rule({ dayOfMonth: 30, interval: 2, startDate: '2027-01-30', occurrences: 4 });
    const expected = ['2027-01-30', '2027-03-30', '2027-05-30', '2027-07-30'];
    expect(clientDates(r)).toEqual(expected);
    expect(occurrenceDates(r, '2040-01-01')).toEqual(expected);
  });
});
