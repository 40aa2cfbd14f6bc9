// The calendar window (src/sync/calendar-window.ts) and the planner's window cell: an unlinked event
// outside the window is parked on either side, never matched or copied.
import { calendarWindowAt, overlapsWindow, sameWindow } from '../../src/sync/calendar-window';
import { plan, RelationIndex } from '../../src/sync/planner';
import type { EventRecord } from '../../src/sync/records';
import type { SideName } from '../../src/sync/records';

const NOW = Date.parse('2026-11-20T10:00:00Z');
const W = calendarWindowAt(NOW, { daysBack: 90, daysAhead: 365 });
const timed = (start: string, end: string): EventRecord => ({ title: 'T', start, end, allDay: false });

describe('calendar window', () => {
  test('is aligned to UTC days: 90 days back from today, to the end of the 365th day ahead', () => {
    expect(W).toEqual({ start: '2026-08-22T00:00:00Z', end: '2027-11-21T00:00:00Z' });
    expect(sameWindow(W, calendarWindowAt(NOW + 3600_000))).toBe(true);
    expect(sameWindow(W, calendarWindowAt(NOW + 86_400_000))).toBe(false);
  });

  test.each([
    ['inside', timed('2026-12-01T09:00:00Z', '2026-12-01T10:00:00Z'), true],
    ['crossing the start', timed('2026-08-21T23:00:00Z', '2026-08-22T01:00:00Z'), true],
    ['ending at the start', timed('2026-08-21T23:00:00Z', '2026-08-22T00:00:00Z'), false],
    ['two years ahead', timed('2028-11-20T09:00:00Z', '2028-11-20T10:00:00Z'), false],
    ['200 days back', timed('2026-05-04T09:00:00Z', '2026-05-04T10:00:00Z'), false],
    ['all-day, the last day', { title: 'A', start: '2027-11-20', end: '2027-11-21', allDay: true }, true],
    ['all-day, the day after', { title: 'A', start: '2027-11-21', end: '2027-11-22', allDay: true }, false],
  ])('an event %s overlaps: %s', (_, e, expected) => {
    expect(overlapsWindow(e as EventRecord, W)).toBe(expected);
  });

  test.each(['crm', 'outlook'] as SideName[])('an unlinked %s event outside the window is ignored under Both, not created', (side) => {
    const far = { id: 'e1', version: 'v', record: timed('2028-11-20T09:00:00Z', '2028-11-20T10:00:00Z') };
    const near = { id: 'e2', version: 'v', record: timed('2026-12-01T09:00:00Z', '2026-12-01T10:00:00Z') };
    const actions = plan(
      { type: 'event', relations: new RelationIndex(), window: W, changes: [far, near].map((item) => ({ side, change: { kind: 'upsert' as const, item } })), candidates: { crm: new Map(), outlook: new Map() } },
      { direction: 'Both', conflictResolution: 'OroCRMAlwaysWins' },
    );
    expect(actions.map((a) => a.kind)).toEqual(['Ignore', side === 'crm' ? 'CreateInOutlook' : 'CreateInCrm']);
    expect(actions[0]).toMatchObject({ id: 'e1', reason: 'Outside the calendar window' });
  });
});
