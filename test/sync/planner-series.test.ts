// A recurring series is one item (src/sync/recurrence.ts): the calendar window takes in a series whose
// span reaches it, a series never matches a single event, and its rule merges with its times as one unit.
import { calendarWindowAt, overlapsWindow } from '../../src/sync/calendar-window';
import { plan, RelationIndex, type PlanSettings } from '../../src/sync/planner';
import { matchKey, type EventRecord } from '../../src/sync/records';
import type { RecurrenceRule } from '../../src/sync/recurrence';
import type { Relation } from '../../src/store/types';

const W = calendarWindowAt(Date.parse('2026-11-20T10:00:00Z'), { daysBack: 90, daysAhead: 365 });
const WEEKLY: RecurrenceRule = {
  type: 'weekly', interval: 1, daysOfWeek: ['monday'], dayOfMonth: null, month: null, index: null, firstDayOfWeek: 'sunday',
  startDate: '2024-01-01', endDate: null, occurrences: null, timeZone: 'UTC',
};
const series = (overrides: Partial<EventRecord> = {}): EventRecord => ({
  title: 'Weekly', start: '2024-01-01T09:00:00Z', end: '2024-01-01T10:00:00Z', allDay: false, recurrence: WEEKLY, exceptions: [], ...overrides,
});
const both = (conflictResolution: PlanSettings['conflictResolution']): PlanSettings => ({ direction: 'Both', conflictResolution });

describe('a series and the calendar window', () => {
  test('a weekly series begun two years before the window, without an end, is in it', () => {
    expect(overlapsWindow(series(), W)).toBe(true);
    expect(overlapsWindow({ ...series(), recurrence: null }, W)).toBe(false);
  });

  test('a series whose end date lies before the window is outside it', () => {
    expect(overlapsWindow(series({ recurrence: { ...WEEKLY, endDate: '2025-06-30' } }), W)).toBe(false);
  });

  test('a numbered series reaching the window is in it; one ending before it is not', () => {
    expect(overlapsWindow(series({ recurrence: { ...WEEKLY, occurrences: 200 } }), W)).toBe(true);
    expect(overlapsWindow(series({ recurrence: { ...WEEKLY, occurrences: 10 } }), W)).toBe(false);
  });

  test('a new CRM series begun before the window is copied, not parked', () => {
    const actions = plan(
      { type: 'event', relations: new RelationIndex(), changes: [{ side: 'crm', change: { kind: 'upsert', item: { id: 'c1', version: 'v1', record: series() } } }], window: W },
      both('OroCRMAlwaysWins'),
    );
    expect(actions.map((a) => a.kind)).toEqual(['CreateInOutlook']);
  });
});

describe('a series in matching and merging', () => {
  test('a series and a single event with the same title and first times do not match', () => {
    expect(matchKey('event', series())).not.toBe(matchKey('event', { ...series(), recurrence: undefined, exceptions: undefined }));
    expect(matchKey('event', series())).toBe(matchKey('event', series({ exceptions: [{ originalStart: '2024-01-08T09:00:00Z', cancelled: true }] })));
  });

  const BASE = series();
  function merge(crm: EventRecord, outlook: EventRecord, settings: PlanSettings) {
    const relation: Relation = { type: 'event', crmId: 'c1', outlookId: 'o1', crmVersion: 'cv1', outlookVersion: 'ov1', base: BASE };
    const actions = plan(
      {
        type: 'event',
        relations: new RelationIndex([relation]),
        changes: [{ side: 'crm', change: { kind: 'upsert', item: { id: 'c1', version: 'cv2', record: crm } } }],
        current: { outlook: new Map([['o1', { id: 'o1', version: 'ov2', record: outlook, crmId: 'c1' }]]) },
      },
      settings,
    );
    return actions[0] as Extract<(typeof actions)[number], { kind: 'MergeBoth' }>;
  }

  test('a rule changed in OroCRM and an occurrence cancelled in Outlook both reach the other side', () => {
    const everyTwoWeeks = { ...WEEKLY, interval: 2 };
    const cancelled = [{ originalStart: '2024-01-08T09:00:00Z', cancelled: true }];
    const m = merge(series({ recurrence: everyTwoWeeks }), series({ exceptions: cancelled }), both('OroCRMAlwaysWins'));
    expect(m.merged).toEqual(series({ recurrence: everyTwoWeeks, exceptions: cancelled }));
    expect(m.outlookFields).toEqual(['recurrence']);
    expect(m.crmFields).toEqual(['exceptions']);
  });

  test('a master moved in OroCRM while Outlook changed the rule: the winner takes times and rule together', () => {
    const moved = series({ start: '2024-01-02T09:00:00Z', end: '2024-01-02T10:00:00Z', recurrence: { ...WEEKLY, daysOfWeek: ['tuesday'], startDate: '2024-01-02' } });
    const daily = series({ recurrence: { ...WEEKLY, type: 'daily', daysOfWeek: [] } });
    expect(merge(moved, daily, both('OroCRMAlwaysWins')).merged).toEqual(moved);
    expect(merge(moved, daily, both('OutlookAlwaysWins')).merged).toEqual(daily);
  });
});
