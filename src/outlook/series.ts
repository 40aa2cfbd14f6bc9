// Recurring series on the Outlook side (docs/recurrence.md, "Consequence for the add-in"): a series is ONE
// item, read from its master (the rule) plus `GET /events/{id}/instances` (event-list-instances.md: the
// occurrences and exceptions in a range; a cancelled occurrence is simply absent), and written as the
// master with its `recurrence`, then PATCH (moved, retitled) or DELETE (cancelled) of single occurrences.
//
// - Exceptions are read and written up to the calendar window's end (`until`): the CRM side keeps to the
//   same bound, so both readings of one series compare equal; the instances are read a little past it
//   (INSTANCE_SLACK_MS) so that an occurrence moved just beyond the bound is not taken for cancelled.
// - Cancelled occurrences are the starts the rule makes that /instances does not list, so the rule is
//   expanded here (expandStarts).
import type { CalendarWindow } from '../sync/calendar-window';
import type { EventRecord } from '../sync/records';
import { seriesEndBound, sortExceptions, WEEK_INDEXES, WEEKDAYS, type RecurrenceRule, type SeriesException } from '../sync/recurrence';
import { listAll } from './containers';
import { failedWrite, graphError } from './graph-errors';
import type { BatchItem, GraphHttp } from './graph-http';
import { eventFromGraph } from './mapping';
import { ruleFromGraph, type GraphRecurrence } from './recurrence';
import { dateOnlyDateTimeTimeZone, formatUtcInstant, toUtcMillis, utcDateTimeTimeZone, wallTimeIn } from './timezones';
import type { SideItem, WriteResult } from '../sync/side';
import { sameValue } from '../sync/values';

const DAY_MS = 86_400_000;
/** How far past the bound instances are read: a moved occurrence stays between its neighbours (ErrorOccurrenceCrossingBoundary). */
const INSTANCE_SLACK_MS = 35 * DAY_MS;
/** Occurrences expanded at most (a daily series over 27 years). */
const MAX_OCCURRENCES = 10_000;
const UTC_PREFERENCE = { Prefer: 'outlook.timezone="UTC"' };

type Raw = Record<string, unknown>;
export type SeriesItem = SideItem<EventRecord> & { transactionId?: string | null };

export const isSeriesMaster = (raw: Raw) => String(raw.type ?? '').toLowerCase() === 'seriesmaster';
/** The master's id of an occurrence or exception, else null. */
export const seriesMasterIdOf = (raw: Raw): string | null => (typeof raw.seriesMasterId === 'string' && raw.seriesMasterId ? raw.seriesMasterId : null);

/**
 * The occurrence starts a rule makes for a series whose first occurrence is `first`, before `untilMs`:
 * UTC instants (timed) or dates (all-day). Each occurrence keeps the first one's wall time in the rule's zone.
 */
export function expandStarts(rule: RecurrenceRule, first: Pick<EventRecord, 'start' | 'allDay'>, untilMs: number): string[] {
  const wall = first.allDay ? '00:00:00' : new Date(wallTimeIn({ dateTime: first.start.slice(0, 19), timeZone: 'UTC' }, rule.timeZone)).toISOString().slice(11, 19);
  const startOf = (date: string) => (first.allDay ? date : formatUtcInstant(toUtcMillis({ dateTime: `${date}T${wall}`, timeZone: rule.timeZone })));
  const out: string[] = [];
  const startMs = Date.parse(`${rule.startDate}T00:00:00Z`);
  const lastMs = rule.endDate ? Date.parse(`${rule.endDate}T00:00:00Z`) : Infinity;
  const dow = (ms: number) => new Date(ms).getUTCDay();
  const days = rule.daysOfWeek.map((d) => WEEKDAYS.indexOf(d));
  /** false once the series has ended. */
  const take = (ms: number | null): boolean => {
    if (ms === null || ms < startMs) return true;
    if (ms > lastMs || (rule.occurrences !== null && out.length >= rule.occurrences) || out.length >= MAX_OCCURRENCES) return false;
    const start = startOf(new Date(ms).toISOString().slice(0, 10));
    if (Date.parse(first.allDay ? `${start}T00:00:00Z` : start) >= untilMs) return false;
    out.push(start);
    return true;
  };
  // A day the month lacks falls on its last day, as Outlook and Oro both place it (docs/recurrence.md).
  const inMonth = (year: number, month: number, dayOfMonth: number) => Date.UTC(year, month - 1, Math.min(dayOfMonth, new Date(Date.UTC(year, month, 0)).getUTCDate()));
  const nth = (year: number, month: number) => {
    const matching: number[] = [];
    for (let ms = Date.UTC(year, month - 1, 1); new Date(ms).getUTCMonth() === month - 1; ms += DAY_MS) if (days.includes(dow(ms))) matching.push(ms);
    const i = WEEK_INDEXES.indexOf(rule.index ?? 'first');
    return (i === WEEK_INDEXES.length - 1 ? matching[matching.length - 1] : matching[i]) ?? null;
  };
  const y0 = new Date(startMs).getUTCFullYear();
  const m0 = new Date(startMs).getUTCMonth();
  for (let k = 0; k <= MAX_OCCURRENCES; k++) {
    let candidates: Array<number | null>;
    if (rule.type === 'daily') candidates = [startMs + k * rule.interval * DAY_MS];
    else if (rule.type === 'weekly') {
      const firstDay = WEEKDAYS.indexOf(rule.firstDayOfWeek);
      const weekStart = startMs - ((dow(startMs) - firstDay + 7) % 7) * DAY_MS + k * rule.interval * 7 * DAY_MS;
      candidates = days.map((d) => weekStart + ((d - firstDay + 7) % 7) * DAY_MS).sort((a, b) => a - b);
    } else if (rule.type === 'absoluteMonthly' || rule.type === 'relativeMonthly') {
      const m = m0 + k * rule.interval;
      const [year, month] = [y0 + Math.floor(m / 12), (m % 12) + 1];
      candidates = [rule.type === 'absoluteMonthly' ? inMonth(year, month, rule.dayOfMonth ?? 1) : nth(year, month)];
    } else {
      const year = y0 + k * rule.interval;
      candidates = [rule.type === 'absoluteYearly' ? inMonth(year, rule.month ?? 1, rule.dayOfMonth ?? 1) : nth(year, rule.month ?? 1)];
    }
    for (const ms of candidates) if (!take(ms)) return out;
  }
  return out;
}

/** The occurrence's start Graph names in `originalStart` (an instant), in the record's form. */
function originalStartOf(raw: Raw, allDay: boolean): string | null {
  const v = raw.originalStart;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return null;
  const instant = formatUtcInstant(Date.parse(v));
  return allDay ? instant.slice(0, 10) : instant;
}

const msOf = (v: string, allDay: boolean) => Date.parse(allDay ? `${v}T00:00:00Z` : v);
const plus = (v: string, ms: number, allDay: boolean) => (allDay ? new Date(msOf(v, true) + ms).toISOString().slice(0, 10) : formatUtcInstant(msOf(v, false) + ms));

/** What an exception changes in its occurrence (nothing: null). */
function exceptionOf(master: EventRecord, originalStart: string, instance: EventRecord): SeriesException | null {
  const duration = msOf(master.end, master.allDay) - msOf(master.start, master.allDay);
  const out: SeriesException = { originalStart, cancelled: false };
  if (instance.title !== master.title) out.title = instance.title;
  if (instance.start !== originalStart || instance.end !== plus(originalStart, duration, master.allDay)) {
    out.start = instance.start;
    out.end = instance.end;
  }
  return out.title === undefined && out.start === undefined ? null : out;
}

/** Exceptions up to `untilMs` as a record holds them (sorted, nothing past the bound). */
export function exceptionsUntil(list: ReadonlyArray<SeriesException> | undefined, allDay: boolean, untilMs: number): SeriesException[] {
  return sortExceptions((list ?? []).filter((x) => msOf(x.originalStart, allDay) < untilMs));
}

export class OutlookSeries {
  /** changeKey of each master last read, so a per-round listing of masters finds the changed ones. */
  readonly seen = new Map<string, string>();

  constructor(
    private readonly http: GraphHttp,
    private readonly window: () => CalendarWindow,
  ) {}

  /** The bound exceptions are read and written to (the calendar window's end). */
  untilMs(): number {
    return Date.parse(this.window().end);
  }

  /** The series a master stands for: its fields, rule and exceptions. */
  async read(masterRaw: Raw): Promise<SeriesItem> {
    const master = eventFromGraph(masterRaw);
    const rule = ruleFromGraph(masterRaw.recurrence as GraphRecurrence, zoneOf(masterRaw));
    const instances = await this.instances(master.id, master.record);
    const record: EventRecord = { ...master.record, recurrence: rule, exceptions: this.exceptionsFrom(master.record, rule, instances) };
    this.seen.set(master.id, master.version);
    return { ...master, record };
  }

  private exceptionsFrom(master: EventRecord, rule: RecurrenceRule, instances: ReadonlyArray<{ raw: Raw; item: EventRecord }>): SeriesException[] {
    const until = this.untilMs();
    const listed = new Set<string>();
    const out: SeriesException[] = [];
    for (const { raw, item } of instances) {
      const original = originalStartOf(raw, master.allDay) ?? item.start;
      listed.add(original);
      if (String(raw.type).toLowerCase() !== 'exception' || msOf(original, master.allDay) >= until) continue;
      const x = exceptionOf(master, original, item);
      if (x) out.push(x);
    }
    for (const start of expandStarts(rule, master, until)) if (!listed.has(start)) out.push({ originalStart: start, cancelled: true });
    return sortExceptions(out);
  }

  /** The master's occurrences and exceptions from its first start to a little past the bound. */
  private async instances(masterId: string, master: EventRecord): Promise<Array<{ raw: Raw; item: EventRecord }>> {
    const from = new Date(msOf(master.start, master.allDay) - DAY_MS).toISOString();
    const to = new Date(this.untilMs() + INSTANCE_SLACK_MS).toISOString();
    const url = `/me/events/${encodeURIComponent(masterId)}/instances?startDateTime=${encodeURIComponent(from)}&endDateTime=${encodeURIComponent(to)}&$top=1000`;
    const raws = await listAll(this.http, url, UTC_PREFERENCE);
    return raws.map((raw) => ({ raw, item: eventFromGraph(raw).record }));
  }

  /**
   * Makes the written master's occurrences match `record.exceptions` (up to the bound): PATCH an
   * occurrence to move or retitle it (or back to the rule), DELETE it to cancel it. Answers the master's
   * version after the writes (each changes it). A cancelled occurrence cannot come back in Outlook.
   */
  async writeExceptions(masterId: string, record: EventRecord): Promise<WriteResult> {
    const rule = record.recurrence!;
    const until = this.untilMs();
    const instances = await this.instances(masterId, record);
    const byOriginal = new Map<string, { raw: Raw; item: EventRecord }>();
    for (const i of instances) byOriginal.set(originalStartOf(i.raw, record.allDay) ?? i.item.start, i);
    const current = new Map(this.exceptionsFrom(record, rule, instances).map((x) => [x.originalStart, x]));
    const wanted = new Map(exceptionsUntil(record.exceptions, record.allDay, until).map((x) => [x.originalStart, x]));
    const duration = msOf(record.end, record.allDay) - msOf(record.start, record.allDay);
    const writes: BatchItem[] = [];
    for (const original of new Set([...current.keys(), ...wanted.keys()])) {
      const want = wanted.get(original);
      const have = current.get(original);
      if (sameValue(want ?? null, have ?? null)) continue;
      const instance = byOriginal.get(original);
      if (have?.cancelled) {
        return { ok: false, code: 'invalid', retryable: false, message: `Outlook cannot bring back the cancelled occurrence of "${record.title}" on ${original}.` };
      }
      if (!instance) {
        // The rule makes no such occurrence: an exception of another rule, not sendable.
        return { ok: false, code: 'invalid', retryable: false, message: `The series "${record.title}" has no occurrence on ${original} in Outlook.` };
      }
      const url = `/me/events/${encodeURIComponent(String(instance.raw.id))}`;
      if (want?.cancelled) {
        writes.push({ method: 'DELETE', url });
        continue;
      }
      const start = want?.start ?? original;
      const end = want?.end ?? plus(original, duration, record.allDay);
      const time = (v: string) => (record.allDay ? dateOnlyDateTimeTimeZone(v) : utcDateTimeTimeZone(v));
      writes.push({ method: 'PATCH', url, headers: UTC_PREFERENCE, body: { subject: want?.title ?? record.title, start: time(start), end: time(end) } });
    }
    const answers = await this.http.batch(writes);
    for (const [k, a] of answers.entries()) {
      const gone = a.status === 404 && writes[k].method === 'DELETE';
      if ((a.status < 200 || a.status > 299) && !gone) return failedWrite(a.status, a.body, `${writes[k].method} an occurrence of "${record.title}"`);
    }
    const res = await this.http.request({ method: 'GET', url: `/me/events/${encodeURIComponent(masterId)}?$select=id,changeKey`, headers: UTC_PREFERENCE });
    if (res.status !== 200) throw graphError(res.status, res.headers, res.body, `GET event ${masterId}`);
    const version = String((res.body as Raw).changeKey ?? (res.body as Raw)['@odata.etag'] ?? '');
    this.seen.set(masterId, version);
    return { ok: true, id: masterId, version };
  }

  /**
   * Masters whose changeKey differs from the one last read (or never read): a cancelled occurrence gives
   * no sign in calendarView/delta (microsoft-graph-docs PR #4501 [I]), but changes the master [U].
   */
  async changedMasters(): Promise<string[]> {
    const url = `/me/calendar/events?$filter=${encodeURIComponent("type eq 'seriesMaster'")}&$select=id,changeKey,start,end,isAllDay,recurrence&$top=1000`;
    const masters = await listAll(this.http, url, UTC_PREFERENCE);
    const window = this.window();
    const listed = new Set<string>();
    const changed: string[] = [];
    for (const m of masters) {
      const id = String(m.id);
      listed.add(id);
      if (this.seen.get(id) === m.changeKey) continue;
      try {
        const first = eventFromGraph({ ...m, changeKey: m.changeKey ?? '-' }).record;
        const rule = ruleFromGraph(m.recurrence as GraphRecurrence, zoneOf(m));
        if (msOf(first.start, first.allDay) >= Date.parse(window.end)) continue;
        if (seriesEndBound(rule, msOf(first.end, first.allDay) - msOf(first.start, first.allDay)) <= Date.parse(window.start)) continue;
      } catch {
        /* unreadable here: the full read reports it */
      }
      changed.push(id);
    }
    for (const id of this.seen.keys()) if (!listed.has(id)) this.seen.delete(id);
    return changed;
  }
}

/** The zone a master was made in, the default of its recurrenceTimeZone. */
function zoneOf(raw: Raw): string {
  return typeof raw.originalStartTimeZone === 'string' && raw.originalStartTimeZone ? raw.originalStartTimeZone : 'UTC';
}
