// Recurring series, as both sides see them (docs/recurrence.md). A series is ONE synced item: its master
// event's fields plus `recurrence` (the rule) and `exceptions` (occurrences moved, retitled or cancelled,
// each named by its original start). Occurrences themselves are never items: they follow from the rule.
// The rule is kept in Graph's vocabulary (patternedRecurrence), normalised so that both sides' readings
// of one series compare equal; src/outlook/recurrence.ts and src/crm/recurrence.ts translate it.

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type RecurrencePatternType = 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
export const WEEK_INDEXES = ['first', 'second', 'third', 'fourth', 'last'] as const;
export type WeekIndex = (typeof WEEK_INDEXES)[number];

export interface RecurrenceRule {
  type: RecurrencePatternType;
  /** In the pattern's unit: days, weeks, months, or years (yearly types). */
  interval: number;
  /** weekly, relativeMonthly, relativeYearly; sorted Sunday first; [] otherwise. */
  daysOfWeek: Weekday[];
  /** absoluteMonthly, absoluteYearly; null otherwise. */
  dayOfMonth: number | null;
  /** absoluteYearly, relativeYearly (1–12); null otherwise. */
  month: number | null;
  /** relativeMonthly, relativeYearly; null otherwise. */
  index: WeekIndex | null;
  /** Which day a week starts on; only meaningful for weekly series every 2+ weeks ('sunday' otherwise). */
  firstDayOfWeek: Weekday;
  /** The range, as dates in `timeZone`. */
  startDate: string;
  /** Last date (inclusive) of an end-date range; null when the range has no end date. */
  endDate: string | null;
  /** Number of occurrences of a numbered range; null otherwise. */
  occurrences: number | null;
  /** The zone the rule is expanded in (IANA or a Windows name, as the service sent it). */
  timeZone: string;
}

/** One occurrence that differs from the rule, named by the start the rule gave it. */
export interface SeriesException {
  /** The occurrence's start as the rule computes it (UTC instant; all-day: date). */
  originalStart: string;
  cancelled: boolean;
  /** Only what differs from the occurrence the rule makes (master's title, originalStart + duration). */
  title?: string;
  start?: string;
  end?: string;
}

/** A rule or exception the target service cannot hold. Refused as a whole: a series is never half-synced. */
export class RecurrenceNotExpressibleError extends Error {
  constructor(
    readonly service: 'OroCRM' | 'Outlook',
    reason: string,
  ) {
    super(`This recurring series can't be synced to ${service}: ${reason}`);
    this.name = 'RecurrenceNotExpressibleError';
  }
}

export function sortWeekdays(days: ReadonlyArray<string>): Weekday[] {
  const wanted = new Set(days.map((d) => d.toLowerCase()));
  return WEEKDAYS.filter((d) => wanted.has(d));
}

export function isWeekday(v: unknown): v is Weekday {
  return typeof v === 'string' && (WEEKDAYS as readonly string[]).includes(v.toLowerCase());
}

/** Exceptions in a stable order (by original start), so that equal series compare equal. */
export function sortExceptions(list: ReadonlyArray<SeriesException>): SeriesException[] {
  return [...list].sort((a, b) => (a.originalStart < b.originalStart ? -1 : a.originalStart > b.originalStart ? 1 : 0));
}

/** A rule with the fields its type does not use cleared, as both services' readings must agree. */
export function normaliseRule(r: RecurrenceRule): RecurrenceRule {
  const relative = r.type === 'relativeMonthly' || r.type === 'relativeYearly';
  const absolute = r.type === 'absoluteMonthly' || r.type === 'absoluteYearly';
  const yearly = r.type === 'absoluteYearly' || r.type === 'relativeYearly';
  const weekly = r.type === 'weekly';
  return {
    type: r.type,
    interval: r.interval,
    daysOfWeek: weekly || relative ? sortWeekdays(r.daysOfWeek) : [],
    dayOfMonth: absolute ? r.dayOfMonth : null,
    month: yearly ? r.month : null,
    index: relative ? (r.index ?? 'first') : null,
    // Week grouping matters only when weeks are skipped and a week holds several chosen days.
    firstDayOfWeek: weekly && r.interval > 1 && r.daysOfWeek.length > 1 ? r.firstDayOfWeek : 'sunday',
    startDate: r.startDate,
    endDate: r.endDate,
    occurrences: r.endDate === null ? r.occurrences : null,
    timeZone: r.timeZone,
  };
}

const DAY_MS = 86_400_000;

/**
 * The latest instant (ms) a series can reach, an upper bound, or Infinity without an end. Used for the
 * calendar window: a series is in the window when [its first start, this bound) overlaps it.
 */
export function seriesEndBound(rule: RecurrenceRule, durationMs: number): number {
  const start = Date.parse(`${rule.startDate}T00:00:00Z`);
  // A day of slack either side covers the zone of the rule's dates.
  if (rule.endDate !== null) return Date.parse(`${rule.endDate}T00:00:00Z`) + 2 * DAY_MS + durationMs;
  if (rule.occurrences === null) return Infinity;
  const n = rule.occurrences;
  const perPeriod = Math.max(1, rule.daysOfWeek.length);
  const unitDays: Record<RecurrencePatternType, number> = { daily: 1, weekly: 7, absoluteMonthly: 31, relativeMonthly: 31, absoluteYearly: 366, relativeYearly: 366 };
  const periods = rule.type === 'weekly' ? Math.ceil(n / perPeriod) : n;
  return start + (periods * rule.interval * unitDays[rule.type] + 2) * DAY_MS + durationMs;
}
