// Oro's recurrence on legacy calendar events (docs/recurrence.md): RecurrenceValidator's checks, and the
// start/end listing's expansion (AbstractRecurrenceAwareCalendarProvider::getExpandedRecurrences).
import { toUtcMillis, wallTimeIn } from '../../../../src/outlook/timezones';
import { occurrenceDates, type ExpansionRule } from '../../common/recurrence';
import { normalizeDateTime } from './attributes';
import type { EventEntity } from './calendar';
import { legacyDateTime } from './schema';

const TYPES = ['daily', 'weekly', 'monthly', 'monthnth', 'yearly', 'yearnth'];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const INDEXES = ['first', 'second', 'third', 'fourth', 'last'];
/** *Strategy::getRequiredProperties beyond recurrenceType, interval, startTime, timeZone. */
const REQUIRED: Record<string, string[]> = { daily: [], weekly: ['dayOfWeek'], monthly: ['dayOfMonth'], monthnth: ['instance', 'dayOfWeek'], yearly: ['dayOfMonth', 'monthOfYear'], yearnth: ['instance', 'dayOfWeek', 'monthOfYear'] };
const MAX_INTERVAL = 999;

export type StoredRecurrence = Record<string, unknown>;

/** RecurrenceValidator + the form's types; errors by field as Oro's form puts them under recurrence.children. */
export function validateRecurrence(raw: unknown): { recurrence: StoredRecurrence } | { errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  const err = (f: string, m: string) => (errors[f] = [...(errors[f] ?? []), m]);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { errors: { recurrenceType: ['This value is not valid.'] } };
  const r = raw as Record<string, unknown>;
  const blank = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  const type = r.recurrenceType;
  if (blank(type)) err('recurrenceType', 'This value should not be blank.');
  else if (!TYPES.includes(String(type))) err('recurrenceType', `This value should be one of the values: ${TYPES.join(', ')}.`);
  if (Object.keys(errors).length) return { errors };
  for (const f of ['interval', 'startTime', 'timeZone', ...REQUIRED[String(type)]]) if (blank(r[f])) err(f, 'This value should not be blank.');
  const int = (f: string) => (blank(r[f]) ? null : Number(r[f]));
  const interval = int('interval');
  if (interval !== null) {
    if (!Number.isInteger(interval)) err('interval', 'This value is not valid.');
    else if (interval < 1) err('interval', 'This value should be 1 or more.');
    else if (interval > MAX_INTERVAL) err('interval', `This value should be ${MAX_INTERVAL} or less.`);
    else if ((type === 'yearly' || type === 'yearnth') && interval % 12 !== 0) err('interval', 'This value should be a multiple of 12.');
  }
  const days = r.dayOfWeek;
  if (!blank(days) && (!Array.isArray(days) || days.some((d) => !DAYS.includes(String(d))))) err('dayOfWeek', `One or more of the given values is not valid. Allowed values: ${DAYS.join(', ')}.`);
  const instance = int('instance');
  if (instance !== null && (!Number.isInteger(instance) || instance < 1 || instance > 5)) err('instance', 'This value is not valid.');
  const time = (f: string) => (blank(r[f]) ? null : typeof r[f] === 'string' ? normalizeDateTime(r[f] as string) : null);
  const startTime = time('startTime');
  const endTime = time('endTime');
  if (!blank(r.startTime) && !startTime) err('startTime', 'This value is not valid.');
  if (!blank(r.endTime) && !endTime) err('endTime', 'This value is not valid.');
  if (startTime && endTime && Date.parse(endTime) < Date.parse(startTime)) err('endTime', `This value should be ${legacyDateTime(startTime)} or more.`);
  if (!blank(r.timeZone)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: String(r.timeZone) });
    } catch {
      err('timeZone', 'This value is not a valid timezone.');
    }
  }
  if (Object.keys(errors).length) return { errors };
  return {
    recurrence: {
      recurrenceType: type,
      interval,
      instance,
      dayOfWeek: blank(days) ? null : (days as string[]).map(String),
      dayOfMonth: int('dayOfMonth'),
      monthOfYear: int('monthOfYear'),
      startTime: legacyDateTime(startTime!),
      endTime: endTime ? legacyDateTime(endTime) : null,
      occurrences: int('occurrences'),
      timeZone: String(r.timeZone),
    },
  };
}

const wallOf = (instant: string, zone: string) => new Date(wallTimeIn({ dateTime: new Date(Date.parse(instant)).toISOString().slice(0, 19), timeZone: 'UTC' }, zone)).toISOString();

function expansionRule(r: StoredRecurrence): ExpansionRule {
  const type = String(r.recurrenceType);
  const zone = String(r.timeZone);
  const yearly = type === 'yearly' || type === 'yearnth';
  return {
    type: ({ daily: 'daily', weekly: 'weekly', monthly: 'absoluteMonthly', monthnth: 'relativeMonthly', yearly: 'absoluteYearly', yearnth: 'relativeYearly' } as const)[type as 'daily'],
    interval: yearly ? Number(r.interval) / 12 : Number(r.interval),
    daysOfWeek: (r.dayOfWeek as string[] | null) ?? [],
    dayOfMonth: (r.dayOfMonth as number | null) ?? null,
    month: (r.monthOfYear as number | null) ?? null,
    index: r.instance ? INDEXES[Number(r.instance) - 1] : null,
    firstDayOfWeek: 'sunday', // WeeklyStrategy counts weeks from Sunday
    startDate: wallOf(String(r.startTime), zone).slice(0, 10),
    endDate: r.endTime ? wallOf(String(r.endTime), zone).slice(0, 10) : null,
    occurrences: (r.occurrences as number | null) || null,
  };
}

/**
 * The start/end listing: regular events overlapping [from, to); each recurring event as its occurrences
 * there, each a copy of the master (same id) with start/end moved and `recurrencePattern`; an exception
 * replaces its occurrence, a cancelled one removes it; exceptions matching no occurrence are appended.
 */
export function expandRecurring(events: EventEntity[], from: number, to: number, serialize: (e: EventEntity) => Record<string, unknown>): Array<Record<string, unknown>> {
  const overlaps = (s: number, e: number) => s < to && e > from;
  const regular = events.filter((e) => !e.data.recurrence && e.data.recurringEventId === null && overlaps(Date.parse(e.data.start), Date.parse(e.data.end))).map(serialize);
  const exceptions = events.filter((e) => e.data.recurringEventId !== null && e.data.originalStart);
  const used = new Set<number>();
  const out: Array<Record<string, unknown>> = [...regular];
  for (const master of events.filter((e) => e.data.recurrence)) {
    const r = master.data.recurrence as StoredRecurrence;
    const zone = String(r.timeZone);
    const duration = Date.parse(master.data.end) - Date.parse(master.data.start);
    const wallTime = wallOf(master.data.start, zone).slice(11, 19);
    const base = serialize(master);
    for (const date of occurrenceDates(expansionRule(r), new Date(to + 86_400_000).toISOString().slice(0, 10))) {
      const start = toUtcMillis({ dateTime: `${date}T${wallTime}`, timeZone: zone });
      if (!overlaps(start, start + duration)) continue;
      const x = exceptions.find((e) => e.data.recurringEventId === master.id && Date.parse(e.data.originalStart!) === start);
      if (x) {
        used.add(x.id);
        if (!x.data.isCancelled) out.push({ ...serialize(x), recurrencePattern: 'recurring' });
        continue;
      }
      out.push({ ...base, start: legacyDateTime(new Date(start).toISOString().replace('.000Z', 'Z')), end: legacyDateTime(new Date(start + duration).toISOString().replace('.000Z', 'Z')), recurrencePattern: 'recurring' });
    }
  }
  for (const x of exceptions) if (!used.has(x.id) && overlaps(Date.parse(x.data.start), Date.parse(x.data.end))) out.push(serialize(x));
  return out;
}
