// Occurrence expansion for the emulators (both services expand a rule the same way for the patterns the
// add-in syncs; docs/recurrence.md). Works on wall dates in the rule's zone: each occurrence is the
// master's wall time of day on a date the pattern picks, converted to UTC. Written separately from the
// add-in's own expansion (src/outlook/series.ts expandStarts, which finds cancelled occurrences), so a
// mistake in one is not copied into the other; test/unit/series-expansion.test.ts holds them to the same answers.

export type PatternType = 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const INDEXES = ['first', 'second', 'third', 'fourth', 'last'];
const DAY = 86_400_000;

export interface ExpansionRule {
  type: PatternType;
  /** days / weeks / months / years */
  interval: number;
  daysOfWeek: string[];
  dayOfMonth: number | null;
  month: number | null;
  index: string | null;
  firstDayOfWeek: string;
  /** Wall dates (YYYY-MM-DD). */
  startDate: string;
  endDate: string | null;
  occurrences: number | null;
}

const dateMs = (d: string) => Date.parse(`${d}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dow = (ms: number) => new Date(ms).getUTCDay();
const dayNo = (name: string) => DAYS.indexOf(name.toLowerCase());

/** The dates of a month whose weekday is one of `days`, in order. */
function monthDays(year: number, month: number, days: number[]): number[] {
  const out: number[] = [];
  for (let d = Date.UTC(year, month - 1, 1); new Date(d).getUTCMonth() === month - 1; d += DAY) if (days.includes(dow(d))) out.push(d);
  return out;
}

function relativeDay(year: number, month: number, days: number[], index: string | null): number | null {
  const all = monthDays(year, month, days);
  const i = INDEXES.indexOf(index ?? 'first');
  if (i === 4) return all[all.length - 1] ?? null;
  return all[i] ?? null;
}

/**
 * A day the month lacks (the 31st in April, 29 February) falls on its last day, in both services: Outlook
 * "generate[s] recurrences on February 28 for years other than leap years" (CDO RecurrencePattern.DayOfMonth,
 * learn.microsoft.com ms528295), and Oro takes `Recurrence::getAdjustedDayOfMonth` (OroCalendarBundle
 * Model/Recurrence/MonthlyStrategy, YearlyStrategy).
 */
function absoluteDay(year: number, month: number, dayOfMonth: number): number {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return Date.UTC(year, month - 1, Math.min(dayOfMonth, lastDay));
}

/** The occurrence dates (wall, YYYY-MM-DD) of a rule, up to `untilDate` (inclusive) or `cap` dates. */
export function occurrenceDates(rule: ExpansionRule, untilDate: string, cap = 5000): string[] {
  const start = dateMs(rule.startDate);
  const last = Math.min(dateMs(untilDate), rule.endDate ? dateMs(rule.endDate) : Infinity);
  const out: string[] = [];
  const push = (d: number | null): boolean => {
    if (d === null || d < start) return true;
    if (d > last || (rule.occurrences !== null && out.length >= rule.occurrences) || out.length >= cap) return false;
    out.push(iso(d));
    return true;
  };
  const sy = new Date(start).getUTCFullYear();
  const sm = new Date(start).getUTCMonth() + 1;
  const days = rule.daysOfWeek.map(dayNo).sort((a, b) => a - b);
  for (let k = 0; ; k++) {
    let periodStart: number;
    let dates: Array<number | null>;
    if (rule.type === 'daily') {
      periodStart = start + k * rule.interval * DAY;
      dates = [periodStart];
    } else if (rule.type === 'weekly') {
      const first = dayNo(rule.firstDayOfWeek || 'sunday');
      const weekStart = start - ((dow(start) - first + 7) % 7) * DAY + k * rule.interval * 7 * DAY;
      periodStart = weekStart;
      dates = days.map((d) => weekStart + ((d - first + 7) % 7) * DAY).sort((a, b) => a - b);
    } else if (rule.type === 'absoluteMonthly' || rule.type === 'relativeMonthly') {
      const m0 = sm - 1 + k * rule.interval;
      const y = sy + Math.floor(m0 / 12);
      const m = (m0 % 12) + 1;
      periodStart = Date.UTC(y, m - 1, 1);
      dates = [rule.type === 'absoluteMonthly' ? absoluteDay(y, m, rule.dayOfMonth ?? 1) : relativeDay(y, m, days, rule.index)];
    } else {
      const y = sy + k * rule.interval;
      periodStart = Date.UTC(y, 0, 1);
      dates = [rule.type === 'absoluteYearly' ? absoluteDay(y, rule.month ?? 1, rule.dayOfMonth ?? 1) : relativeDay(y, rule.month ?? 1, days, rule.index)];
    }
    if (periodStart > last || k > cap) return out;
    for (const d of dates) if (!push(d)) return out;
  }
}

/** The last wall date a rule can reach (null: no end). */
export function lastOccurrenceDate(rule: ExpansionRule): string | null {
  if (rule.endDate) return rule.endDate;
  if (rule.occurrences === null) return null;
  const dates = occurrenceDates(rule, '9000-01-01');
  return dates[dates.length - 1] ?? rule.startDate;
}
