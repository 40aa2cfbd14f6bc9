// Recurring series (docs/recurrence.md): a master stores the rule; occurrences are computed, never stored;
// an edited occurrence becomes a stored `exception` under the occurrence's id; a deleted occurrence is
// remembered on the master (`@cancelled`, hidden bookkeeping) and simply no longer listed. Every change
// to an occurrence changes the master's changeKey too, as Exchange keeps exceptions on the master item [U].
import { z } from 'zod';
import { lastOccurrenceDate, occurrenceDates, type ExpansionRule } from '../common/recurrence';
import { badRequest } from './errors';
import type { GraphStore, StoredItem } from './store';
import { inZone, toUtc, utcDateTimeTimeZone } from './timezones';
import { graphTimestamp, newChangeKey } from './util';

const day = z.string().transform((s, ctx) => {
  const v = s.toLowerCase();
  if (!['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].includes(v)) ctx.addIssue({ code: 'custom', message: `'${s}' is not a day of the week` });
  return v;
});
const dateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** patternedRecurrence (resources/recurrencepattern.md, recurrencerange.md); names compare case-insensitively. */
export const recurrenceSchema = z
  .object({
    pattern: z.object({
      type: z.string().transform((s) => ['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly'].find((t) => t.toLowerCase() === s.toLowerCase()) ?? s).pipe(z.enum(['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly'])),
      interval: z.number().int().min(1),
      daysOfWeek: z.array(day).optional(),
      dayOfMonth: z.number().int().min(0).max(31).optional(),
      month: z.number().int().min(0).max(12).optional(),
      index: z.string().transform((s) => s.toLowerCase()).pipe(z.enum(['first', 'second', 'third', 'fourth', 'last'])).optional(),
      firstDayOfWeek: day.optional(),
    }),
    range: z.object({
      type: z.string().transform((s) => s.toLowerCase()).pipe(z.enum(['enddate', 'noend', 'numbered'])),
      startDate: dateOnly,
      endDate: dateOnly.optional(),
      numberOfOccurrences: z.number().int().min(0).optional(),
      recurrenceTimeZone: z.string().optional(),
    }),
  })
  .nullable();

type Recurrence = NonNullable<z.infer<typeof recurrenceSchema>>;

/** Checks what each pattern and range needs (concepts/outlook-schedule-recurring-events.md), and answers the stored form. */
export function checkedRecurrence(r: Recurrence): Record<string, unknown> {
  const p = r.pattern;
  const need = (ok: boolean, what: string) => {
    if (!ok) throw badRequest(`Your request can't be completed. ${what}`, 'ErrorInvalidRequest');
  };
  if (p.type === 'weekly' || p.type === 'relativeMonthly' || p.type === 'relativeYearly') need(!!p.daysOfWeek?.length, `A ${p.type} pattern needs daysOfWeek.`);
  if (p.type === 'absoluteMonthly' || p.type === 'absoluteYearly') need(!!p.dayOfMonth, `An ${p.type} pattern needs dayOfMonth.`);
  if (p.type === 'absoluteYearly' || p.type === 'relativeYearly') need(!!p.month, `A ${p.type} pattern needs month.`);
  if (r.range.type === 'enddate') need(!!r.range.endDate && r.range.endDate >= r.range.startDate, 'An endDate range needs an endDate on or after its startDate.');
  if (r.range.type === 'numbered') need((r.range.numberOfOccurrences ?? 0) > 0, 'A numbered range needs numberOfOccurrences.');
  const rangeType = { enddate: 'endDate', noend: 'noEnd', numbered: 'numbered' }[r.range.type];
  return {
    pattern: { type: p.type, interval: p.interval, month: p.month ?? 0, dayOfMonth: p.dayOfMonth ?? 0, daysOfWeek: p.daysOfWeek ?? [], firstDayOfWeek: p.firstDayOfWeek ?? 'sunday', index: p.index ?? 'first' },
    range: {
      type: rangeType,
      startDate: r.range.startDate,
      endDate: rangeType === 'endDate' ? r.range.endDate : '0001-01-01',
      recurrenceTimeZone: r.range.recurrenceTimeZone ?? '',
      numberOfOccurrences: rangeType === 'numbered' ? r.range.numberOfOccurrences : 0,
    },
  };
}

export const isMaster = (e: StoredItem) => e.data.type === 'seriesMaster';
const OCC = '_OCC';

/** An occurrence's id: the master's id and the occurrence's date (Graph's ids also encode both). */
export function occurrenceId(masterId: string, date: string): string {
  return `${masterId}${OCC}${date.replace(/-/g, '')}`;
}

export function parseOccurrenceId(id: string): { masterId: string; date: string } | null {
  const at = id.lastIndexOf(OCC);
  const m = at > 0 ? /^(\d{4})(\d{2})(\d{2})$/.exec(id.slice(at + OCC.length)) : null;
  return m ? { masterId: id.slice(0, at), date: `${m[1]}-${m[2]}-${m[3]}` } : null;
}

function zoneOf(master: StoredItem): string {
  const rec = master.data.recurrence as { range: { recurrenceTimeZone: string } };
  return rec.range.recurrenceTimeZone || (master.data.originalStartTimeZone as string) || 'UTC';
}

function ruleOf(master: StoredItem): ExpansionRule {
  const { pattern: p, range: r } = master.data.recurrence as { pattern: Record<string, unknown>; range: Record<string, unknown> };
  return {
    type: p.type as ExpansionRule['type'],
    interval: p.interval as number,
    daysOfWeek: p.daysOfWeek as string[],
    dayOfMonth: (p.dayOfMonth as number) || null,
    month: (p.month as number) || null,
    index: p.index as string,
    firstDayOfWeek: p.firstDayOfWeek as string,
    startDate: r.startDate as string,
    endDate: r.type === 'endDate' ? (r.endDate as string) : null,
    occurrences: r.type === 'numbered' ? (r.numberOfOccurrences as number) : null,
  };
}

const ms = (v: unknown) => Date.parse(`${(v as { dateTime: string }).dateTime.slice(0, 23)}Z`);

/** The occurrence a rule makes on `date`: start/end as stored (UTC; all-day at UTC midnight). */
function occurrenceTimes(master: StoredItem, date: string): { start: number; end: number } {
  const duration = ms(master.data.end) - ms(master.data.start);
  if (master.data.isAllDay === true) {
    const s = Date.parse(`${date}T00:00:00Z`);
    return { start: s, end: s + duration };
  }
  const zone = zoneOf(master);
  const wall = inZone(master.data.start as { dateTime: string; timeZone: string }, zone, false).dateTime;
  const s = toUtc(`${date}T${wall.slice(11)}`, zone).getTime();
  return { start: s, end: s + duration };
}

const cancelledOf = (master: StoredItem) => new Set((master.data['@cancelled'] as string[] | undefined) ?? []);

/** Every occurrence date of the series (bounded for series without an end). */
function datesOf(master: StoredItem, until: number): string[] {
  return occurrenceDates(ruleOf(master), new Date(until).toISOString().slice(0, 10));
}

/** A computed occurrence as an item (never stored). */
export function virtualOccurrence(master: StoredItem, date: string): StoredItem {
  const { start, end } = occurrenceTimes(master, date);
  const data: Record<string, unknown> = {
    ...master.data,
    type: 'occurrence',
    seriesMasterId: master.id,
    recurrence: null,
    start: utcDateTimeTimeZone(new Date(start)),
    end: utcDateTimeTimeZone(new Date(end)),
    originalStart: new Date(start).toISOString().replace('.000Z', 'Z'),
  };
  delete data['@cancelled'];
  return { ...master, id: occurrenceId(master.id, date), data };
}

/** The occurrence or exception with this id, if the series has it (null: no such instance, or cancelled). */
export function instanceById(store: GraphStore, id: string): { master: StoredItem; item: StoredItem; stored: boolean } | null {
  const parsed = parseOccurrenceId(id);
  if (!parsed) return null;
  const master = store.get(parsed.masterId);
  if (!master || master.deleted || !isMaster(master)) return null;
  const stored = store.get(id);
  if (stored && !stored.deleted) return { master, item: stored, stored: true };
  if (cancelledOf(master).has(parsed.date)) return null;
  if (!datesOf(master, Date.parse(`${parsed.date}T23:59:59Z`) + 2 * 86_400_000).includes(parsed.date)) return null;
  return { master, item: virtualOccurrence(master, parsed.date), stored: false };
}

/** Occurrences and exceptions of a series overlapping [from, to) (event-list-instances.md), by start. */
export function instancesIn(store: GraphStore, master: StoredItem, from: number, to: number): StoredItem[] {
  const cancelled = cancelledOf(master);
  const out: StoredItem[] = [];
  for (const date of datesOf(master, to + 86_400_000)) {
    if (cancelled.has(date)) continue;
    const stored = store.get(occurrenceId(master.id, date));
    const item = stored && !stored.deleted ? stored : virtualOccurrence(master, date);
    if (ms(item.data.start) < to && ms(item.data.end) > from) out.push(item);
  }
  return out.sort((a, b) => ms(a.data.start) - ms(b.data.start));
}

/** The series reaches [from, to) when it has an instance there. */
export function seriesInWindow(store: GraphStore, master: StoredItem, from: number, to: number): boolean {
  return instancesIn(store, master, from, to).length > 0;
}

/** Records a change to one of its occurrences on the master (new changeKey). */
export function touchMaster(store: GraphStore, master: StoredItem, now: Date, change: (data: Record<string, unknown>) => void = () => undefined): StoredItem {
  const data = { ...master.data, changeKey: newChangeKey(), lastModifiedDateTime: graphTimestamp(now) };
  change(data);
  return store.update({ ...master, data });
}

export function cancelOccurrence(store: GraphStore, master: StoredItem, date: string, now: Date): void {
  const stored = store.get(occurrenceId(master.id, date));
  if (stored && !stored.deleted) store.remove(stored);
  touchMaster(store, master, now, (d) => (d['@cancelled'] = [...cancelledOf(master), date].sort()));
}

/**
 * An edited occurrence may not move onto or past its neighbours (event-update.md:
 * ErrorOccurrenceCrossingBoundary).
 */
export function checkWithinNeighbours(store: GraphStore, master: StoredItem, date: string, newStart: number): void {
  const all = datesOf(master, Date.parse(`${date}T00:00:00Z`) + 400 * 86_400_000);
  const i = all.indexOf(date);
  const before = i > 0 ? occurrenceTimes(master, all[i - 1]).start : -Infinity;
  const after = i >= 0 && i + 1 < all.length ? occurrenceTimes(master, all[i + 1]).start : Infinity;
  if (newStart <= before || newStart >= after) {
    throw badRequest('Your request can\'t be completed. An occurrence can\'t be moved to or beyond the date of an adjacent occurrence.', 'ErrorOccurrenceCrossingBoundary');
  }
}

/** The last instant a series reaches (Infinity without an end). */
export function seriesEnd(master: StoredItem): number {
  const last = lastOccurrenceDate(ruleOf(master));
  return last === null ? Infinity : occurrenceTimes(master, last).end;
}
