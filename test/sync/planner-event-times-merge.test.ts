// An event's start, end and all-day flag merge as one unit: field by field, a pair where OroCRM moved a
// timed event and Outlook made it all-day would become "all-day from 10:00Z", an event neither side wrote.
import { plan, type PlanSettings } from '../../src/sync/planner';
import type { EventRecord } from '../../src/sync/records';
import type { Relation } from '../../src/store/types';
import { index } from './planner-helpers';

const BASE: EventRecord = { title: 'Demo', start: '2030-03-01T09:00:00Z', end: '2030-03-01T10:00:00Z', allDay: false };
const both = (conflictResolution: PlanSettings['conflictResolution']): PlanSettings => ({ direction: 'Both', conflictResolution });

function merge(crm: EventRecord, outlook: EventRecord, settings: PlanSettings) {
  const relation: Relation = { type: 'event', crmId: 'c1', outlookId: 'o1', crmVersion: 'cv1', outlookVersion: 'ov1', base: BASE };
  const actions = plan(
    {
      type: 'event',
      relations: index(relation),
      changes: [{ side: 'crm', change: { kind: 'upsert', item: { id: 'c1', version: 'cv2', record: crm } } }],
      current: { outlook: new Map([['o1', { id: 'o1', version: 'ov2', record: outlook, crmId: 'c1' }]]) },
    },
    settings,
  );
  expect(actions).toHaveLength(1);
  return actions[0] as Extract<(typeof actions)[number], { kind: 'MergeBoth' }>;
}

const MOVED: EventRecord = { ...BASE, start: '2030-03-01T10:00:00Z', end: '2030-03-01T11:00:00Z' };
const ALL_DAY: EventRecord = { ...BASE, start: '2030-03-01', end: '2030-03-02', allDay: true };

describe('event times merge as one unit', () => {
  test('moved in OroCRM, made all-day in Outlook, "OroCRM always wins": the CRM times win whole, the all-day flag included, logged', () => {
    const m = merge(MOVED, ALL_DAY, both('OroCRMAlwaysWins'));
    expect(m.kind).toBe('MergeBoth');
    expect(m.merged).toEqual(MOVED);
    expect(m.conflict).toEqual({
      fields: ['start', 'end', 'allDay'],
      rule: 'OroCRM always wins',
      winner: 'crm',
      losingValues: { start: '2030-03-01', end: '2030-03-02', allDay: true },
    });
    expect(m.outlookFields.sort()).toEqual(['allDay', 'end', 'start']);
    expect(m.crmFields).toEqual([]);
  });

  test('the same pair under "Outlook always wins" becomes the all-day event whole', () => {
    const m = merge(MOVED, ALL_DAY, both('OutlookAlwaysWins'));
    expect(m.merged).toEqual(ALL_DAY);
    expect(m.conflict).toEqual(expect.objectContaining({ winner: 'outlook', losingValues: { start: MOVED.start, end: MOVED.end, allDay: false } }));
  });

  test('moved two days later in OroCRM while Outlook only stretched the end: the winner keeps an end after its start', () => {
    const later: EventRecord = { ...BASE, start: '2030-03-03T09:00:00Z', end: '2030-03-03T10:00:00Z' };
    const stretched: EventRecord = { ...BASE, end: '2030-03-01T12:00:00Z' };
    const m = merge(later, stretched, both('OutlookAlwaysWins'));
    const merged = m.merged as EventRecord;
    expect(merged).toEqual(stretched);
    expect(merged.end > merged.start).toBe(true);
  });

  test('times changed on one side only still merge with a title changed on the other, without a conflict', () => {
    const m = merge({ ...BASE, title: 'Demo v2' }, ALL_DAY, both('OroCRMAlwaysWins'));
    expect(m.merged).toEqual({ ...ALL_DAY, title: 'Demo v2' });
    expect(m.conflict).toBeNull();
  });
});
