// The behaviour table seen from the Outlook poll: the Outlook change is what was read, the CRM record is the
// current one read just before planning. Every cell must give the same decision as from the CRM poll
// (planner-table.test.ts), for each direction x conflict rule. Also: ambiguity on the Outlook side.
import type { Item, SyncAction } from '../../src/sync/actions';
import { DELETED_IN_CRM_FIELD, plan, type PlanSettings } from '../../src/sync/planner';
import { matchKey, type ContactRecord } from '../../src/sync/records';
import { ALL_SETTINGS, BASE, contact, index, item, relation } from './planner-helpers';

type State = 'U' | 'C' | 'D';
const CRM_EDIT = contact({ jobTitle: 'Head of Buying' });
const OUTLOOK_EDIT = contact({ phone: '+1 555 0199' });

function outlookPoll(crm: State, outlook: State, settings: PlanSettings, records: { crm?: ContactRecord; outlook?: ContactRecord } = {}): SyncAction[] {
  const c = crm === 'D' ? null : crm === 'U' ? item('c1', 'cv1', BASE) : item('c1', 'cv2', records.crm ?? CRM_EDIT);
  const o = outlook === 'D' ? null : outlook === 'U' ? item('o1', 'ov1', BASE, 'c1') : item('o1', 'ov2', records.outlook ?? OUTLOOK_EDIT, 'c1');
  return plan(
    {
      type: 'contact',
      relations: index(relation()),
      changes: [{ side: 'outlook', change: o ? { kind: 'upsert', item: o } : { kind: 'delete', id: 'o1' } }],
      current: { crm: new Map([['c1', c]]) },
    },
    settings,
  );
}

const kinds = (actions: SyncAction[]) => actions.map((a) => a.kind);
const label = (s: PlanSettings) => `(${s.direction}, ${s.conflictResolution})`;

describe.each(ALL_SETTINGS)('Outlook poll, linked pair %#', (settings) => {
  const { direction, conflictResolution: rule } = settings;

  test(`U/U plans nothing ${label(settings)}`, () => {
    expect(outlookPoll('U', 'U', settings)).toEqual([]);
  });

  test(`C in CRM, U in Outlook: ${direction === 'OutlookToOroCRM' ? 'ignored' : 'update Outlook'} ${label(settings)}`, () => {
    const actions = outlookPoll('C', 'U', settings);
    if (direction === 'OutlookToOroCRM') expect(actions).toEqual([expect.objectContaining({ kind: 'Ignore', side: 'crm', id: 'c1' })]);
    else expect(actions).toEqual([expect.objectContaining({ kind: 'UpdateOutlook', fields: ['jobTitle'], record: CRM_EDIT })]);
  });

  test(`U in CRM, C in Outlook: ${direction === 'OroCRMToOutlook' ? 'ignored' : 'update CRM'} ${label(settings)}`, () => {
    const actions = outlookPoll('U', 'C', settings);
    if (direction === 'OroCRMToOutlook') expect(actions).toEqual([expect.objectContaining({ kind: 'Ignore', side: 'outlook', id: 'o1' })]);
    else expect(actions).toEqual([expect.objectContaining({ kind: 'UpdateCrm', fields: ['phone'], record: OUTLOOK_EDIT })]);
  });

  test(`C on both, same field: ${direction === 'Both' ? `goes to the ${rule} winner, logged` : 'the direction source overwrites'} ${label(settings)}`, () => {
    const [action, ...rest] = outlookPoll('C', 'C', settings, { crm: contact({ phone: 'crm' }), outlook: contact({ phone: 'outlook' }) });
    expect(rest).toEqual([]);
    if (direction === 'OroCRMToOutlook') expect(action).toEqual(expect.objectContaining({ kind: 'UpdateOutlook', fields: ['phone'], record: contact({ phone: 'crm' }) }));
    else if (direction === 'OutlookToOroCRM') expect(action).toEqual(expect.objectContaining({ kind: 'UpdateCrm', fields: ['phone'], record: contact({ phone: 'outlook' }) }));
    else {
      const winner = rule === 'OroCRMAlwaysWins' ? 'crm' : 'outlook';
      const loser = winner === 'crm' ? 'outlook' : 'crm';
      expect(action).toEqual(
        expect.objectContaining({
          kind: 'MergeBoth',
          merged: contact({ phone: winner }),
          conflict: { fields: ['phone'], rule: rule === 'OroCRMAlwaysWins' ? 'OroCRM always wins' : 'Outlook always wins', winner, losingValues: { phone: loser } },
        }),
      );
    }
  });

  test(`D in Outlook: ${direction === 'OutlookToOroCRM' ? 'unlink, the CRM record stays' : 'recreate in Outlook'} ${label(settings)}`, () => {
    for (const crm of ['U', 'C'] as const) {
      const actions = outlookPoll(crm, 'D', settings);
      if (direction === 'OutlookToOroCRM') expect(actions).toEqual([expect.objectContaining({ kind: 'Unlink', relation: expect.objectContaining({ crmId: 'c1' }) })]);
      else expect(actions).toEqual([expect.objectContaining({ kind: 'RecreateInOutlook', crm: expect.objectContaining({ id: 'c1', record: crm === 'U' ? BASE : CRM_EDIT }) })]);
    }
  });

  test(`D in CRM: per direction and rule ${label(settings)}`, () => {
    for (const outlook of ['U', 'C'] as const) {
      const actions = outlookPoll('D', outlook, settings);
      if (direction === 'OroCRMToOutlook') expect(actions).toEqual([expect.objectContaining({ kind: 'UnlinkAndClearStamp', outlook: expect.objectContaining({ id: 'o1' }) })]);
      else if (direction === 'OutlookToOroCRM') expect(actions).toEqual([expect.objectContaining({ kind: 'DeleteInOutlook', conflict: null })]);
      else if (rule === 'OroCRMAlwaysWins') expect(actions).toEqual([expect.objectContaining({ kind: 'DeleteInOutlook', conflict: expect.objectContaining({ fields: [DELETED_IN_CRM_FIELD], winner: 'crm' }) })]);
      else expect(actions).toEqual([expect.objectContaining({ kind: 'RecreateInCrm', outlook: expect.objectContaining({ id: 'o1' }), conflict: expect.objectContaining({ winner: 'outlook', rule: 'Outlook always wins' }) })]);
    }
  });

  test(`no plan deletes a CRM record ${label(settings)}`, () => {
    const states: State[] = ['U', 'C', 'D'];
    for (const crm of states) for (const outlook of states) {
      for (const a of outlookPoll(crm, outlook, settings)) expect(a.kind === 'DeleteInOutlook' || !/delete/i.test(a.kind)).toBe(true);
    }
  });
});

describe('a new Outlook item whose key matches several CRM records', () => {
  const keyed = (...items: Item[]) => {
    const m = new Map<string, Item[]>();
    for (const i of items) {
      const k = matchKey('contact', i.record as never);
      m.set(k, [...(m.get(k) ?? []), i]);
    }
    return m;
  };

  test('is never guessed: it is reported with both candidates, and nothing is created or linked', () => {
    for (const direction of ['OutlookToOroCRM', 'Both'] as const) {
      const actions = plan(
        {
          type: 'contact',
          relations: index(),
          changes: [{ side: 'outlook', change: { kind: 'upsert', item: item('o1', 'v', BASE, null) } }],
          candidates: { crm: keyed(item('c1', 'a', BASE), item('c2', 'b', contact({ jobTitle: 'Other' }))) },
        },
        { direction, conflictResolution: 'OroCRMAlwaysWins' },
      );
      expect(actions).toEqual([expect.objectContaining({ kind: 'ReportAmbiguousMatch', side: 'outlook', candidateIds: ['c1', 'c2'] })]);
    }
  });
});
