// The planner's cells for an Outlook item moved out of the "OroCRM" folder or list (docs/sync.md "Moves").
import type { SyncAction } from '../../src/sync/actions';
import { MOVED_OUT_VERSION } from '../../src/sync/moved-out';
import { plan, type PlanSettings } from '../../src/sync/planner';
import type { Item } from '../../src/sync/actions';
import { ALL_SETTINGS, BASE, contact, index, item, relation } from './planner-helpers';

const moved = (id = 'o1'): Item => ({ ...item(id, 'ov2', BASE, 'c1'), movedOut: true });
const parked = relation({ outlookVersion: MOVED_OUT_VERSION });
const kinds = (actions: SyncAction[]) => actions.map((a) => a.kind);

describe.each(ALL_SETTINGS)('settings %#', (settings: PlanSettings) => {
  test('a linked item moved out is parked: nothing is written, deleted or re-created', () => {
    const actions = plan({ type: 'contact', relations: index(relation()), changes: [{ side: 'outlook', change: { kind: 'upsert', item: moved() } }], current: { crm: new Map([['c1', item('c1', 'cv1', BASE)]]) } }, settings);
    expect(actions).toEqual([expect.objectContaining({ kind: 'ParkMovedOut', outlookId: 'o1' })]);
  });

  test('a task moved to another list (new id) is parked on its new id, found by its stamp', () => {
    const actions = plan({ type: 'contact', relations: index(relation()), changes: [{ side: 'outlook', change: { kind: 'upsert', item: moved('o9') } }] }, settings);
    expect(actions).toEqual([expect.objectContaining({ kind: 'ParkMovedOut', outlookId: 'o9' })]);
  });

  test('a CRM edit of a parked pair is ignored; the CRM record deleted forgets the pair', () => {
    const edit = item('c1', 'cv2', contact({ jobTitle: 'Chair' }));
    expect(kinds(plan({ type: 'contact', relations: index(parked), changes: [{ side: 'crm', change: { kind: 'upsert', item: edit } }] }, settings))).toEqual(['Ignore']);
    expect(kinds(plan({ type: 'contact', relations: index(parked), changes: [{ side: 'crm', change: { kind: 'delete', id: 'c1' } }] }, settings))).toEqual(['Unlink']);
  });

  test('a parked item back in the folder is linked again, by id or (a task with a new id) by its stamp', () => {
    const crm = new Map([['c1', item('c1', 'cv1', BASE)]]);
    const sameId = plan({ type: 'contact', relations: index(parked), changes: [{ side: 'outlook', change: { kind: 'upsert', item: item('o1', 'ov3', BASE, 'c1') } }], current: { crm } }, settings);
    expect(sameId).toEqual([expect.objectContaining({ kind: 'LinkMatched', outlook: expect.objectContaining({ id: 'o1' }) })]);
    const newId = plan({ type: 'contact', relations: index(parked), changes: [{ side: 'outlook', change: { kind: 'upsert', item: item('o7', 'ov1', BASE, 'c1') } }], current: { crm } }, settings);
    expect(newId).toEqual([expect.objectContaining({ kind: 'LinkMatched', outlook: expect.objectContaining({ id: 'o7' }) })]);
  });
});
