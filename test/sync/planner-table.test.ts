// Every cell of the behaviour table, for each direction x conflict rule, on one linked contact pair.
import { plan, BEHAVIOUR, DELETED_IN_CRM_FIELD, type PlanSettings } from '../../src/sync/planner';
import type { SyncAction } from '../../src/sync/actions';
import type { ContactRecord } from '../../src/sync/records';
import { ALL_SETTINGS, BASE, contact, index, item, relation } from './planner-helpers';

type State = 'U' | 'C' | 'D';
const CRM_EDIT = contact({ jobTitle: 'Head of Buying' });
const OUTLOOK_EDIT = contact({ phone: '+1 555 0199' });

function sideItem(side: 'crm' | 'outlook', state: State, record?: ContactRecord) {
  if (state === 'D') return null;
  const id = side === 'crm' ? 'c1' : 'o1';
  const v = side === 'crm' ? 'cv' : 'ov';
  return state === 'U' ? item(id, `${v}1`, BASE, side === 'outlook' ? 'c1' : undefined) : item(id, `${v}2`, record ?? (side === 'crm' ? CRM_EDIT : OUTLOOK_EDIT), side === 'outlook' ? 'c1' : undefined);
}

/** Plans the pair as the CRM poll would see it (CRM change read, Outlook item read just before planning). */
function planPairOf(crm: State, outlook: State, settings: PlanSettings, records: { crm?: ContactRecord; outlook?: ContactRecord } = {}): SyncAction[] {
  const c = sideItem('crm', crm, records.crm);
  const o = sideItem('outlook', outlook, records.outlook);
  return plan(
    {
      type: 'contact',
      relations: index(relation()),
      changes: [{ side: 'crm', change: c ? { kind: 'upsert', item: c } : { kind: 'delete', id: 'c1' } }],
      current: { outlook: new Map([['o1', o]]) },
    },
    settings,
  );
}

const kinds = (actions: SyncAction[]) => actions.map((a) => a.kind);
const label = (s: PlanSettings) => `(${s.direction}, ${s.conflictResolution})`;

describe('the behaviour table', () => {
  test('has a decision for every situation and direction', () => {
    for (const row of Object.values(BEHAVIOUR)) expect(Object.keys(row).sort()).toEqual(['Both', 'OroCRMToOutlook', 'OutlookToOroCRM']);
  });

  test('no cell deletes CRM data: Outlook never deletes CRM data', () => {
    const decisions = JSON.stringify(BEHAVIOUR);
    expect(decisions).not.toMatch(/deleteInCrm/i);
  });
});

describe.each(ALL_SETTINGS)('linked pair %#', (settings) => {
  const { direction, conflictResolution: rule } = settings;

  test(`unchanged on both sides plans nothing ${label(settings)}`, () => {
    expect(planPairOf('U', 'U', settings)).toEqual([]);
  });

  test(`CRM change with Outlook unchanged ${direction === 'OutlookToOroCRM' ? 'is ignored' : 'updates Outlook'} ${label(settings)}`, () => {
    const actions = planPairOf('C', 'U', settings);
    if (direction === 'OutlookToOroCRM') expect(kinds(actions)).toEqual(['Ignore']);
    else expect(actions).toEqual([expect.objectContaining({ kind: 'UpdateOutlook', fields: ['jobTitle'], record: CRM_EDIT })]);
  });

  test(`Outlook change with CRM unchanged ${direction === 'OroCRMToOutlook' ? 'is ignored' : 'updates the CRM'} ${label(settings)}`, () => {
    const actions = planPairOf('U', 'C', settings);
    if (direction === 'OroCRMToOutlook') expect(kinds(actions)).toEqual(['Ignore']);
    else expect(actions).toEqual([expect.objectContaining({ kind: 'UpdateCrm', fields: ['phone'], record: OUTLOOK_EDIT })]);
  });

  test(`changes on both sides: ${direction === 'Both' ? 'field-level merge' : 'the direction source overwrites'} ${label(settings)}`, () => {
    const actions = planPairOf('C', 'C', settings);
    if (direction === 'OroCRMToOutlook') {
      expect(actions).toEqual([expect.objectContaining({ kind: 'UpdateOutlook', record: CRM_EDIT, fields: ['phone', 'jobTitle'].sort() })].map((x) => x));
    } else if (direction === 'OutlookToOroCRM') {
      expect(actions).toEqual([expect.objectContaining({ kind: 'UpdateCrm', record: OUTLOOK_EDIT })]);
    } else {
      // Different fields changed: both edits survive, no conflict logged.
      expect(actions).toEqual([
        expect.objectContaining({
          kind: 'MergeBoth',
          merged: contact({ jobTitle: 'Head of Buying', phone: '+1 555 0199' }),
          crmFields: ['phone'],
          outlookFields: ['jobTitle'],
          conflict: null,
        }),
      ]);
    }
  });

  test(`Outlook delete ${direction === 'OutlookToOroCRM' ? 'unlinks and keeps the CRM record' : 're-adds the CRM record to Outlook'} ${label(settings)}`, () => {
    for (const crm of ['U', 'C'] as const) {
      const actions = planPairOf(crm, 'D', settings);
      if (direction === 'OutlookToOroCRM') expect(kinds(actions)).toEqual(['Unlink']);
      else expect(actions).toEqual([expect.objectContaining({ kind: 'RecreateInOutlook', crm: expect.objectContaining({ id: 'c1' }) })]);
    }
  });

  test(`CRM delete ${direction === 'OroCRMToOutlook' ? 'unlinks and clears the stamp' : direction === 'OutlookToOroCRM' || rule === 'OroCRMAlwaysWins' ? 'deletes the Outlook item' : 'recreates the record in the CRM'} ${label(settings)}`, () => {
    for (const outlook of ['U', 'C'] as const) {
      const actions = planPairOf('D', outlook, settings);
      if (direction === 'OroCRMToOutlook') expect(kinds(actions)).toEqual(['UnlinkAndClearStamp']);
      else if (direction === 'OutlookToOroCRM') expect(actions).toEqual([expect.objectContaining({ kind: 'DeleteInOutlook', conflict: null })]);
      else if (rule === 'OroCRMAlwaysWins') {
        expect(actions).toEqual([
          expect.objectContaining({ kind: 'DeleteInOutlook', conflict: expect.objectContaining({ fields: [DELETED_IN_CRM_FIELD], rule: 'OroCRM always wins', winner: 'crm' }) }),
        ]);
      } else {
        expect(actions).toEqual([
          expect.objectContaining({ kind: 'RecreateInCrm', conflict: expect.objectContaining({ rule: 'Outlook always wins', winner: 'outlook' }) }),
        ]);
      }
    }
  });

  test(`deleted on both sides forgets the pair ${label(settings)}`, () => {
    expect(kinds(planPairOf('D', 'D', settings))).toEqual(['Unlink']);
  });
});

describe('named behaviours', () => {
  const both = (rule: 'OroCRMAlwaysWins' | 'OutlookAlwaysWins'): PlanSettings => ({ direction: 'Both', conflictResolution: rule });

  test('Outlook-side delete does not delete the CRM contact (Both)', () => {
    for (const rule of ['OroCRMAlwaysWins', 'OutlookAlwaysWins'] as const) {
      const actions = planPairOf('U', 'D', both(rule));
      expect(actions.some((a) => a.kind === 'Unlink' || a.kind === 'DeleteInOutlook')).toBe(false);
      expect(kinds(actions)).toEqual(['RecreateInOutlook']);
    }
  });

  test('the same field changed to different values goes to OroCRM under "OroCRM always wins", and the loss is logged', () => {
    const [action] = planPairOf('C', 'C', both('OroCRMAlwaysWins'), { crm: contact({ phone: 'crm-phone' }), outlook: contact({ phone: 'ol-phone', jobTitle: 'Chief' }) });
    expect(action).toEqual(
      expect.objectContaining({
        kind: 'MergeBoth',
        merged: contact({ phone: 'crm-phone', jobTitle: 'Chief' }),
        crmFields: ['jobTitle'],
        outlookFields: ['phone'],
        conflict: { fields: ['phone'], rule: 'OroCRM always wins', winner: 'crm', losingValues: { phone: 'ol-phone' } },
      }),
    );
  });

  test('the same field changed to different values goes to Outlook under "Outlook always wins"', () => {
    const [action] = planPairOf('C', 'C', both('OutlookAlwaysWins'), { crm: contact({ phone: 'crm-phone', jobTitle: 'CEO' }), outlook: contact({ phone: 'ol-phone' }) });
    expect(action).toEqual(
      expect.objectContaining({
        kind: 'MergeBoth',
        merged: contact({ phone: 'ol-phone', jobTitle: 'CEO' }),
        conflict: { fields: ['phone'], rule: 'Outlook always wins', winner: 'outlook', losingValues: { phone: 'crm-phone' } },
      }),
    );
  });

  test('both sides changed a field to the same value: no conflict, only the versions are recorded', () => {
    const same = contact({ phone: 'same' });
    const actions = planPairOf('C', 'C', both('OroCRMAlwaysWins'), { crm: same, outlook: same });
    expect(actions).toEqual([expect.objectContaining({ kind: 'RecordVersions', crmVersion: 'cv2', outlookVersion: 'ov2', base: same })]);
  });

  test('echo suppression: a change whose version equals the stored version is unchanged, even without reading the other side', () => {
    const actions = plan(
      { type: 'contact', relations: index(relation()), changes: [{ side: 'outlook', change: { kind: 'upsert', item: item('o1', 'ov1', BASE) } }] },
      both('OroCRMAlwaysWins'),
    );
    expect(actions).toEqual([]);
  });

  test('a new version with the same content as the base is no change: only the version is remembered', () => {
    const actions = plan(
      { type: 'contact', relations: index(relation()), changes: [{ side: 'outlook', change: { kind: 'upsert', item: item('o1', 'ov9', BASE) } }] },
      both('OroCRMAlwaysWins'),
    );
    expect(actions).toEqual([expect.objectContaining({ kind: 'RecordVersions', crmVersion: 'cv1', outlookVersion: 'ov9' })]);
  });

  test('a real change is never planned blind: the other side must have been read', () => {
    expect(() =>
      plan(
        { type: 'contact', relations: index(relation()), changes: [{ side: 'crm', change: { kind: 'upsert', item: item('c1', 'cv2', CRM_EDIT) } }] },
        both('OroCRMAlwaysWins'),
      ),
    ).toThrow(/needs the current item/);
  });

  test('an edit the Outlook poll has not seen yet is merged, not overwritten, by the CRM pass', () => {
    const [action] = planPairOf('C', 'C', both('OroCRMAlwaysWins'));
    expect(action.kind).toBe('MergeBoth');
    expect((action as { merged: ContactRecord }).merged.phone).toBe('+1 555 0199');
  });

  test('a replayed change (same item twice in a page) is planned once', () => {
    const c = item('c1', 'cv2', CRM_EDIT);
    const actions = plan(
      {
        type: 'contact',
        relations: index(relation()),
        changes: [
          { side: 'crm', change: { kind: 'upsert', item: c } },
          { side: 'crm', change: { kind: 'upsert', item: c } },
        ],
        current: { outlook: new Map([['o1', item('o1', 'ov1', BASE)]]) },
      },
      both('OroCRMAlwaysWins'),
    );
    expect(kinds(actions)).toEqual(['UpdateOutlook']);
  });

  test('a pair changed on both sides and given by both polls is planned once', () => {
    const actions = plan(
      {
        type: 'contact',
        relations: index(relation()),
        changes: [
          { side: 'crm', change: { kind: 'upsert', item: item('c1', 'cv2', CRM_EDIT) } },
          { side: 'outlook', change: { kind: 'upsert', item: item('o1', 'ov2', OUTLOOK_EDIT) } },
        ],
      },
      both('OutlookAlwaysWins'),
    );
    expect(kinds(actions)).toEqual(['MergeBoth']);
  });
});
