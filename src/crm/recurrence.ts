// Oro's `recurrence` ↔ the canonical rule (src/sync/recurrence.ts; facts and sources in docs/recurrence.md).
// Oro (OroCalendarBundle Entity/Recurrence.php, Model/Recurrence/*Strategy.php, Validator/RecurrenceValidator.php):
// - recurrenceType daily | weekly | monthly | monthnth | yearly | yearnth;
// - interval in days / weeks / months; yearly and yearnth count MONTHS, a multiple of 12; 1..999 for all;
// - instance 1..5 (5 = last) for monthnth / yearnth; dayOfWeek a list of day names; dayOfMonth; monthOfYear;
// - startTime / endTime are instants (endTime null: no end date), occurrences, timeZone (the zone the
//   rule is expanded in; required);
// - weekly weeks start on Sunday (WeeklyStrategy moves startTime back to the week's Sunday).
import { toUtcMillis, wallTimeIn } from '../outlook/timezones';
import {
  normaliseRule,
  RecurrenceNotExpressibleError,
  sortWeekdays,
  WEEK_INDEXES,
  WEEKDAYS,
  type RecurrencePatternType,
  type RecurrenceRule,
} from '../sync/recurrence';

export type OroRecurrenceType = 'daily' | 'weekly' | 'monthly' | 'monthnth' | 'yearly' | 'yearnth';

/** The recurrence object of Oro's legacy event API (POST/PUT body; GET answers `timezone` or `timeZone`). */
export interface OroRecurrence {
  recurrenceType: OroRecurrenceType;
  interval: number;
  instance: number | null;
  dayOfWeek: string[] | null;
  dayOfMonth: number | null;
  monthOfYear: number | null;
  /** RFC 3339 instant. */
  startTime: string;
  endTime: string | null;
  occurrences: number | null;
  timeZone: string;
}

/** AbstractStrategy::MAX_INTERVAL. */
export const ORO_MAX_INTERVAL = 999;

const TYPE_TO_ORO: Record<RecurrencePatternType, OroRecurrenceType> = {
  daily: 'daily',
  weekly: 'weekly',
  absoluteMonthly: 'monthly',
  relativeMonthly: 'monthnth',
  absoluteYearly: 'yearly',
  relativeYearly: 'yearnth',
};
const TYPE_FROM_ORO = Object.fromEntries(Object.entries(TYPE_TO_ORO).map(([k, v]) => [v, k])) as Record<OroRecurrenceType, RecurrencePatternType>;

const isoDate = (wallMs: number) => new Date(wallMs).toISOString().slice(0, 10);
const utcWall = (instant: string) => ({ dateTime: new Date(Date.parse(instant)).toISOString().slice(0, 19), timeZone: 'UTC' });

/** Oro's recurrence as the canonical rule. */
export function ruleFromOro(r: OroRecurrence): RecurrenceRule {
  const type = TYPE_FROM_ORO[r.recurrenceType];
  if (!type) throw new RangeError(`Unknown Oro recurrenceType "${r.recurrenceType}"`);
  const yearly = r.recurrenceType === 'yearly' || r.recurrenceType === 'yearnth';
  const localDate = (instant: string) => isoDate(wallTimeIn(utcWall(instant), r.timeZone));
  return normaliseRule({
    type,
    interval: yearly ? r.interval / 12 : r.interval,
    daysOfWeek: sortWeekdays(r.dayOfWeek ?? []),
    dayOfMonth: r.dayOfMonth,
    month: r.monthOfYear,
    index: r.instance ? WEEK_INDEXES[r.instance - 1] : null,
    firstDayOfWeek: 'sunday',
    startDate: localDate(r.startTime),
    endDate: r.endTime ? localDate(r.endTime) : null,
    occurrences: r.occurrences && r.occurrences > 0 ? r.occurrences : null,
    timeZone: r.timeZone,
  });
}

/**
 * The canonical rule as Oro's recurrence, for a series whose master starts at `masterStart` (UTC instant).
 * Throws RecurrenceNotExpressibleError for what Oro cannot hold.
 */
export function ruleToOro(rule: RecurrenceRule, masterStart: string): OroRecurrence {
  const r = normaliseRule(rule);
  const yearly = r.type === 'absoluteYearly' || r.type === 'relativeYearly';
  const interval = yearly ? r.interval * 12 : r.interval;
  if (!Number.isInteger(interval) || interval < 1 || interval > ORO_MAX_INTERVAL) {
    throw new RecurrenceNotExpressibleError('OroCRM', `it repeats every ${r.interval} ${yearly ? 'years' : 'periods'}; OroCRM allows 1 to ${ORO_MAX_INTERVAL}${yearly ? ' months (83 years)' : ''}.`);
  }
  if (r.firstDayOfWeek !== 'sunday') {
    const first = WEEKDAYS.indexOf(r.firstDayOfWeek);
    if (r.daysOfWeek.some((d) => WEEKDAYS.indexOf(d) < first)) {
      throw new RecurrenceNotExpressibleError('OroCRM', `its weeks start on ${r.firstDayOfWeek}; OroCRM counts every ${r.interval} weeks from Sunday, which would move some occurrences.`);
    }
  }
  const endOfDay = (date: string) => new Date(toUtcMillis({ dateTime: `${date}T23:59:59`, timeZone: r.timeZone })).toISOString().replace('.000Z', 'Z');
  return {
    recurrenceType: TYPE_TO_ORO[r.type],
    interval,
    instance: r.index ? WEEK_INDEXES.indexOf(r.index) + 1 : null,
    dayOfWeek: r.daysOfWeek.length ? [...r.daysOfWeek] : null,
    dayOfMonth: r.dayOfMonth,
    monthOfYear: r.month,
    startTime: masterStart,
    // Oro keeps an occurrence while it starts at or before endTime: the end of the last day keeps that day's.
    endTime: r.endDate ? endOfDay(r.endDate) : null,
    occurrences: r.occurrences,
    timeZone: r.timeZone,
  };
}
