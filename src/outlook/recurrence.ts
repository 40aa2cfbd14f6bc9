// Graph's patternedRecurrence ↔ the canonical rule (src/sync/recurrence.ts; docs/recurrence.md).
// microsoft-graph-docs-contrib api-reference/v1.0/resources/recurrencepattern.md, recurrencerange.md,
// concepts/outlook-schedule-recurring-events.md: pattern {type, interval, daysOfWeek, dayOfMonth, month,
// index, firstDayOfWeek}, range {type endDate|noEnd|numbered, startDate, endDate, numberOfOccurrences,
// recurrenceTimeZone}. Graph answers unused numbers as 0, an unused endDate as "0001-01-01", and may
// capitalise day names and range types; reading normalises all of that.
import { ianaZoneName } from './timezones';
import { normaliseRule, RecurrenceNotExpressibleError, sortWeekdays, WEEK_INDEXES, type RecurrencePatternType, type RecurrenceRule, type WeekIndex } from '../sync/recurrence';

export interface GraphRecurrence {
  pattern: {
    type: RecurrencePatternType;
    interval: number;
    daysOfWeek?: string[];
    dayOfMonth?: number;
    month?: number;
    index?: WeekIndex;
    firstDayOfWeek?: string;
  };
  range: {
    type: 'endDate' | 'noEnd' | 'numbered';
    startDate: string;
    endDate?: string;
    numberOfOccurrences?: number;
    recurrenceTimeZone?: string;
  };
}

const PATTERN_TYPES: ReadonlyArray<RecurrencePatternType> = ['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly'];
const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : '');
const positive = (v: unknown) => (typeof v === 'number' && v > 0 ? v : null);

/** Graph's recurrence as the canonical rule; `eventZone` is the master's zone (the default of recurrenceTimeZone). */
export function ruleFromGraph(g: GraphRecurrence, eventZone: string): RecurrenceRule {
  const type = PATTERN_TYPES.find((t) => t.toLowerCase() === lower(g.pattern.type));
  if (!type) throw new RangeError(`Unknown Graph recurrence pattern "${String(g.pattern.type)}"`);
  const rangeType = lower(g.range.type);
  const index = WEEK_INDEXES.find((i) => i === lower(g.pattern.index)) ?? null;
  return normaliseRule({
    type,
    interval: g.pattern.interval,
    daysOfWeek: sortWeekdays(g.pattern.daysOfWeek ?? []),
    dayOfMonth: positive(g.pattern.dayOfMonth),
    month: positive(g.pattern.month),
    index,
    firstDayOfWeek: sortWeekdays([g.pattern.firstDayOfWeek ?? 'sunday'])[0] ?? 'sunday',
    startDate: g.range.startDate,
    endDate: rangeType === 'enddate' && g.range.endDate && !g.range.endDate.startsWith('0001') ? g.range.endDate : null,
    occurrences: rangeType === 'numbered' ? positive(g.range.numberOfOccurrences) : null,
    // One name for one zone, so that both services' readings of a series compare equal.
    timeZone: ianaZoneName(g.range.recurrenceTimeZone || eventZone),
  });
}

/** The canonical rule as Graph's recurrence. Throws RecurrenceNotExpressibleError for what Outlook cannot hold. */
export function ruleToGraph(rule: RecurrenceRule): GraphRecurrence {
  const r = normaliseRule(rule);
  if ((r.type === 'weekly' || r.type === 'relativeMonthly' || r.type === 'relativeYearly') && r.daysOfWeek.length === 0) {
    throw new RecurrenceNotExpressibleError('Outlook', `a ${r.type} series needs days of the week.`);
  }
  const pattern: GraphRecurrence['pattern'] = { type: r.type, interval: r.interval };
  if (r.daysOfWeek.length) pattern.daysOfWeek = [...r.daysOfWeek];
  if (r.type === 'weekly') pattern.firstDayOfWeek = r.firstDayOfWeek;
  if (r.dayOfMonth !== null) pattern.dayOfMonth = r.dayOfMonth;
  if (r.month !== null) pattern.month = r.month;
  if (r.index !== null) pattern.index = r.index;
  const range: GraphRecurrence['range'] = { type: r.endDate !== null ? 'endDate' : r.occurrences !== null ? 'numbered' : 'noEnd', startDate: r.startDate, recurrenceTimeZone: r.timeZone };
  if (r.endDate !== null) range.endDate = r.endDate;
  if (r.occurrences !== null) range.numberOfOccurrences = r.occurrences;
  return { pattern, range };
}
