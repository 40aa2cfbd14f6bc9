// The calendar window: the one range of time in which events are synced, the same for both sides.
//
// Outlook can only track events through calendarView/delta, which is bound to a date range and reports
// every event outside it (added, moved, updated there) as `@removed` with reason "deleted"
// (microsoft-graph-docs-contrib api-reference/v1.0/api/event-delta.md: "Filter the events under
// @removed for the date range that your scenario requires"). So the CRM side reads only events that
// overlap the same window, and an event outside it is *parked*, never deleted or created:
// - an unlinked event outside the window is ignored on either side (no copy is made);
// - a linked event moved out of the window is an ordinary edit (the move is synced) and its relation
//   is kept; it is simply no longer listed while it stays outside;
// - a linked pair whose last-synced times lie outside the window is never inferred deleted from a
//   listing of the window.
// The window rolls with time: it is aligned to UTC days, and when the day changes both sides list the
// new range again (not a full re-sync: nothing is created or deleted by the move itself).
import type { EventRecord } from './records';
import { seriesEndBound } from './recurrence';

export interface CalendarWindowSpec {
  daysBack: number;
  daysAhead: number;
}

/** UTC instants `YYYY-MM-DDTHH:MM:SSZ`; `end` exclusive. */
export interface CalendarWindow {
  start: string;
  end: string;
}

export const DEFAULT_CALENDAR_WINDOW: CalendarWindowSpec = { daysBack: 90, daysAhead: 365 };

const DAY_MS = 86_400_000;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The window at `nowMs`: from `daysBack` days before today (UTC) to the end of the `daysAhead`-th day after it. */
export function calendarWindowAt(nowMs: number, spec: CalendarWindowSpec = DEFAULT_CALENDAR_WINDOW): CalendarWindow {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return { start: iso(today - spec.daysBack * DAY_MS), end: iso(today + (spec.daysAhead + 1) * DAY_MS) };
}

export function sameWindow(a: CalendarWindow | null | undefined, b: CalendarWindow | null | undefined): boolean {
  return !!a && !!b && a.start === b.start && a.end === b.end;
}

/**
 * An event's span in ms; all-day dates are taken at UTC midnight (the sides confirm edge cases by id).
 * A series spans from its first occurrence to the end of its range (forever without an end).
 */
function spanOf(e: EventRecord): { start: number; end: number } {
  const at = (v: string) => Date.parse(e.allDay ? `${v}T00:00:00Z` : v);
  const span = { start: at(e.start), end: at(e.end) };
  if (e.recurrence) span.end = Math.max(span.end, seriesEndBound(e.recurrence, span.end - span.start));
  return span;
}

/** True when the event overlaps the window (a zero-length event: when it starts inside it). */
export function overlapsWindow(e: EventRecord, w: CalendarWindow): boolean {
  const { start, end } = spanOf(e);
  const ws = Date.parse(w.start);
  const we = Date.parse(w.end);
  if (end <= start) return start >= ws && start < we;
  return start < we && end > ws;
}
