// Recurring series on the CRM side (docs/recurrence.md, Oro part). Oro keeps a series as a master event
// with `recurrence` plus one event per exception, carrying `recurringEventId` (the master), `originalStart`
// (the occurrence's computed start) and `isCancelled` (OroCalendarBundle Resources/doc/recurringEvents.md).
// - A series is ONE item under the master's id: rows are grouped by `recurringEventId ?? id`, and each
//   series is read with `recurringEventId=N` (CalendarEventRepository::addRecurringEventFilter: the
//   exceptions of N and N itself). The start/end listing repeats the master's id once per occurrence.
// - Exceptions are kept up to the calendar window's end, as on the Outlook side (src/outlook/series.ts).
// - Its version is the newest updatedAt of master and exceptions with the record's hash, so an edited
//   exception changes the series' version.
// - Written master first (POST/PUT with `recurrence`), then the exceptions: POST the missing, PUT the
//   changed, DELETE the ones no longer wanted; a cancelled occurrence is an exception with isCancelled.
import type { EventRecord } from '../sync/records';
import { sortExceptions, type SeriesException } from '../sync/recurrence';
import type { SideItem, WriteResult } from '../sync/side';
import { sameValue } from '../sync/values';
import type { LegacyEvent } from './entities-wire';
import type { CrmRequest, CrmResponse } from './http';
import { eventFromOro, eventToOro, utcInstant, versionOf } from './mapping';
import { ruleFromOro, ruleToOro, type OroRecurrence } from './recurrence';

const SERIES_PAGE = 1000;

type Row = LegacyEvent & { recurrence?: (Partial<OroRecurrence> & { timezone?: string }) | null; recurringEventId?: number | null; originalStart?: string | null; isCancelled?: boolean };

/** The master's id of a series row (master, occurrence of the start/end listing, or exception), else null. */
export function seriesIdOf(row: LegacyEvent): number | null {
  const r = row as Row;
  if (typeof r.recurringEventId === 'number') return r.recurringEventId;
  return r.recurrence ? r.id : null;
}

export interface CrmSeriesDeps {
  /** Legacy calendarevents listing of the user's calendar. */
  list(query: Record<string, string | number>): Promise<LegacyEvent[]>;
  send(req: CrmRequest): Promise<CrmResponse>;
  check(res: CrmResponse, what: string): void;
  invalid(res: CrmResponse): WriteResult;
  calendarId(): Promise<number>;
  /** The bound exceptions are kept to (the calendar window's end). */
  untilMs(): number;
}

const LEGACY = '/api/rest/latest';
const msOf = (v: string, allDay: boolean) => Date.parse(allDay ? `${v}T00:00:00Z` : v);
const plus = (v: string, ms: number, allDay: boolean) => (allDay ? new Date(msOf(v, true) + ms).toISOString().slice(0, 10) : new Date(msOf(v, false) + ms).toISOString().replace('.000Z', 'Z'));

export class CrmSeries {
  /**
   * Exception event id → its master's id, from every series read. An exception deleted in Oro (the
   * occurrence put back) shows only as the exception's removal in the audit log, so that removal is a
   * change of its series (CrmSide.readDeletions). Kept in the event checkpoint across restarts.
   */
  private readonly owners = new Map<string, string>();

  constructor(private readonly deps: CrmSeriesDeps) {}

  /** The master an exception event id belonged to when its series was last read, else null. */
  masterOf(exceptionId: string): string | null {
    return this.owners.get(exceptionId) ?? null;
  }

  /** What a checkpoint remembered (entries read since win), and what to remember next. */
  learn(saved: Readonly<Record<string, string>>): void {
    for (const [id, master] of Object.entries(saved)) if (!this.owners.has(id)) this.owners.set(id, master);
  }

  known(): Record<string, string> {
    return Object.fromEntries(this.owners);
  }

  forget(exceptionId: string): void {
    this.owners.delete(exceptionId);
  }

  /** Series N as one item (null: no such recurring event). */
  async read(masterId: number): Promise<SideItem<EventRecord> | null> {
    const rows = (await this.rows(masterId)) as Row[];
    const master = rows.find((r) => r.id === masterId && r.recurrence);
    if (!master) return null;
    return this.item(master, rows.filter((r) => r.recurringEventId === masterId));
  }

  private rows(masterId: number): Promise<LegacyEvent[]> {
    return this.deps.list({ page: 1, limit: SERIES_PAGE, recurringEventId: masterId });
  }

  private item(master: Row, exceptionRows: Row[]): SideItem<EventRecord> {
    const masterId = String(master.id);
    for (const [id, owner] of this.owners) if (owner === masterId) this.owners.delete(id);
    for (const row of exceptionRows) this.owners.set(String(row.id), masterId);
    const first = eventFromOro(master);
    const rec = master.recurrence!;
    const rule = ruleFromOro({ ...(rec as OroRecurrence), timeZone: rec.timeZone ?? rec.timezone ?? 'UTC' });
    const record: EventRecord = { ...first, recurrence: rule, exceptions: this.exceptionsFrom(first, exceptionRows) };
    const newest = [master, ...exceptionRows].map((r) => utcInstant(r.updatedAt)).sort().pop()!;
    return { id: String(master.id), version: versionOf(newest, record), record };
  }

  private exceptionsFrom(master: EventRecord, rows: Row[]): SeriesException[] {
    const until = this.deps.untilMs();
    const out: SeriesException[] = [];
    for (const row of rows) {
      const x = exceptionOf(master, row);
      if (x && msOf(x.originalStart, master.allDay) < until) out.push(x);
    }
    return sortExceptions(out);
  }

  /** The recurrence sent with a master write; throws RecurrenceNotExpressibleError. */
  recurrenceBody(record: EventRecord): { recurrence: OroRecurrence } {
    const masterStart = String(eventToOro(record, ['start']).start);
    return { recurrence: ruleToOro(record.recurrence!, masterStart) };
  }

  /** Makes series N's exception events match `record.exceptions` (up to the bound). */
  async writeExceptions(masterId: number, record: EventRecord): Promise<WriteResult | null> {
    const until = this.deps.untilMs();
    const rows = ((await this.rows(masterId)) as Row[]).filter((r) => r.recurringEventId === masterId);
    const first = { ...record };
    const byOriginal = new Map<string, Row>();
    for (const row of rows) {
      const original = originalStartOf(row, record.allDay);
      if (original) byOriginal.set(original, row);
    }
    const wanted = new Map(sortExceptions(record.exceptions ?? []).filter((x) => msOf(x.originalStart, record.allDay) < until).map((x) => [x.originalStart, x]));
    const duration = msOf(record.end, record.allDay) - msOf(record.start, record.allDay);
    const calendar = await this.deps.calendarId();
    for (const original of new Set([...byOriginal.keys(), ...wanted.keys()])) {
      if (msOf(original, record.allDay) >= until) continue;
      const row = byOriginal.get(original);
      const want = wanted.get(original) ?? null;
      const have = row ? exceptionOf(first, row) : null;
      if (sameValue(want, have) && (want !== null || !row)) continue;
      let res: CrmResponse;
      if (!want) res = await this.deps.send({ method: 'DELETE', path: `${LEGACY}/calendarevents/${row!.id}`, format: 'rest' });
      else {
        const shape: EventRecord = { title: want.title ?? record.title, start: want.start ?? original, end: want.end ?? plus(original, duration, record.allDay), allDay: record.allDay };
        const body = { ...eventToOro(shape), isCancelled: want.cancelled };
        res = row
          ? await this.deps.send({ method: 'PUT', path: `${LEGACY}/calendarevents/${row.id}`, format: 'rest', body })
          : await this.deps.send({ method: 'POST', path: `${LEGACY}/calendarevents`, format: 'rest', body: { ...body, calendar, recurringEventId: masterId, originalStart: originalInstant(original) } });
      }
      if (res.status === 400) return this.deps.invalid(res);
      if (!(res.status === 404 && !want)) this.deps.check(res, `write an exception of calendar event ${masterId}`);
    }
    return null;
  }
}

function originalInstant(original: string): string {
  return original.length === 10 ? `${original}T00:00:00Z` : original;
}

function originalStartOf(row: Row, allDay: boolean): string | null {
  if (!row.originalStart) return null;
  const instant = utcInstant(row.originalStart);
  return allDay ? instant.slice(0, 10) : instant;
}

/** What an exception event changes in its occurrence (nothing: null). */
function exceptionOf(master: EventRecord, row: Row): SeriesException | null {
  const originalStart = originalStartOf(row, master.allDay);
  if (!originalStart) return null;
  if (row.isCancelled) return { originalStart, cancelled: true };
  const own = eventFromOro(row);
  const duration = msOf(master.end, master.allDay) - msOf(master.start, master.allDay);
  const out: SeriesException = { originalStart, cancelled: false };
  if (own.title !== master.title) out.title = own.title;
  if (own.start !== originalStart || own.end !== plus(originalStart, duration, master.allDay)) {
    out.start = own.start;
    out.end = own.end;
  }
  return out.title === undefined && out.start === undefined ? null : out;
}
