// First-sync matching by Oro's keys, ambiguous keys, stamped items, and the mass-deletion guard.
import { plan, needsDeletionConfirmation, type PlanSettings } from '../../src/sync/planner';
import { matchKey } from '../../src/sync/records';
import type { Item } from '../../src/sync/actions';
import { contact, index, item, relation } from './planner-helpers';

const both = (conflictResolution: PlanSettings['conflictResolution'] = 'OroCRMAlwaysWins'): PlanSettings => ({ direction: 'Both', conflictResolution });
const ANN = contact();
const keyOf = (i: Item) => matchKey('contact', i.record as never);
const byKey = (...items: Item[]) => {
  const m = new Map<string, Item[]>();
  for (const i of items) m.set(keyOf(i), [...(m.get(keyOf(i)) ?? []), i]);
  return m;
};

function planNewCrm(crmItems: Item[], outlookCandidates: Item[], settings: PlanSettings, relations = index()) {
  return plan(
    { type: 'contact', relations, changes: crmItems.map((i) => ({ side: 'crm' as const, change: { kind: 'upsert' as const, item: i } })), candidates: { outlook: byKey(...outlookCandidates) } },
    settings,
  );
}

describe('new CRM records', () => {
  test('with no match are created in Outlook (OroCRMToOutlook and Both)', () => {
    for (const direction of ['OroCRMToOutlook', 'Both'] as const) {
      expect(planNewCrm([item('c1', 'v', ANN)], [], { direction, conflictResolution: 'OroCRMAlwaysWins' })).toEqual([
        { kind: 'CreateInOutlook', type: 'contact', crm: item('c1', 'v', ANN) },
      ]);
    }
  });

  test('are ignored under OutlookToOroCRM', () => {
    expect(planNewCrm([item('c1', 'v', ANN)], [], { direction: 'OutlookToOroCRM', conflictResolution: 'OroCRMAlwaysWins' }).map((a) => a.kind)).toEqual(['Ignore']);
  });

  test('matching one Outlook item by first/last name, gender and birthday are linked, not duplicated', () => {
    const o = item('o1', 'ov', contact({ firstName: ' ann ', jobTitle: 'Other' }));
    const [a] = planNewCrm([item('c1', 'v', ANN)], [o], { direction: 'OroCRMToOutlook', conflictResolution: 'OutlookAlwaysWins' });
    expect(a).toEqual(expect.objectContaining({ kind: 'LinkMatched', crmFields: [], outlookFields: ['firstName', 'jobTitle'], merged: ANN, conflict: null }));
  });

  test('a first-sync match under OutlookToOroCRM sends differing fields to the CRM', () => {
    const o = item('o1', 'ov', contact({ jobTitle: 'Other' }));
    const [a] = plan(
      { type: 'contact', relations: index(), changes: [{ side: 'outlook', change: { kind: 'upsert', item: o } }], candidates: { crm: byKey(item('c1', 'v', ANN)) } },
      { direction: 'OutlookToOroCRM', conflictResolution: 'OroCRMAlwaysWins' },
    );
    expect(a).toEqual(expect.objectContaining({ kind: 'LinkMatched', crmFields: ['jobTitle'], outlookFields: [], merged: o.record }));
  });

  test('a first-sync match under Both sends differing fields to the rule winner and logs them', () => {
    const o = item('o1', 'ov', contact({ jobTitle: 'Other' }));
    const [crmWins] = planNewCrm([item('c1', 'v', ANN)], [o], both('OroCRMAlwaysWins'));
    expect(crmWins).toEqual(expect.objectContaining({ kind: 'LinkMatched', outlookFields: ['jobTitle'], crmFields: [], conflict: expect.objectContaining({ winner: 'crm', losingValues: { jobTitle: 'Other' } }) }));
    const [outlookWins] = planNewCrm([item('c1', 'v', ANN)], [o], both('OutlookAlwaysWins'));
    expect(outlookWins).toEqual(expect.objectContaining({ kind: 'LinkMatched', crmFields: ['jobTitle'], outlookFields: [], conflict: expect.objectContaining({ winner: 'outlook', losingValues: { jobTitle: 'Buyer' } }) }));
  });

  test('a first-sync match under Both fills a blank field from the other side instead of erasing it, whatever the rule', () => {
    const o = item('o1', 'ov', contact({ jobTitle: null, description: 'Met at the fair' }));
    for (const rule of ['OroCRMAlwaysWins', 'OutlookAlwaysWins'] as const) {
      const [a] = planNewCrm([item('c1', 'v', ANN)], [o], both(rule));
      expect(a).toEqual(
        expect.objectContaining({
          kind: 'LinkMatched',
          merged: expect.objectContaining({ jobTitle: 'Buyer', description: 'Met at the fair' }),
          crmFields: ['description'],
          outlookFields: ['jobTitle'],
          conflict: null,
        }),
      );
    }
  });

  test('a key matching several Outlook items is never guessed: it is reported', () => {
    const actions = planNewCrm([item('c1', 'v', ANN)], [item('o1', 'a', ANN), item('o2', 'b', ANN)], both());
    expect(actions).toEqual([expect.objectContaining({ kind: 'ReportAmbiguousMatch', side: 'crm', candidateIds: ['o1', 'o2'] })]);
  });

  test('two new CRM records sharing the key of one Outlook item are reported, not both linked to it', () => {
    const actions = planNewCrm([item('c1', 'v', ANN), item('c2', 'v', ANN)], [item('o1', 'a', ANN)], both());
    expect(actions.map((a) => a.kind)).toEqual(['ReportAmbiguousMatch', 'ReportAmbiguousMatch']);
  });

  test('two new CRM records sharing a key with nothing to match are both created', () => {
    const actions = planNewCrm([item('c1', 'v', ANN), item('c2', 'v', ANN)], [], both());
    expect(actions.map((a) => a.kind)).toEqual(['CreateInOutlook', 'CreateInOutlook']);
  });

  test('an Outlook item already linked to another record is not a match candidate', () => {
    const actions = planNewCrm([item('c2', 'v', ANN)], [item('o1', 'a', ANN)], both(), index(relation()));
    expect(actions.map((a) => a.kind)).toEqual(['CreateInOutlook']);
  });

  test('an Outlook candidate stamped with this very CRM id is linked even beside a same-key twin', () => {
    const actions = planNewCrm([item('c1', 'v', ANN)], [item('o1', 'a', ANN, 'c1'), item('o2', 'b', ANN, null)], both());
    expect(actions).toEqual([expect.objectContaining({ kind: 'LinkMatched', outlook: expect.objectContaining({ id: 'o1' }) })]);
  });
});

describe('new Outlook items', () => {
  const newOutlook = (o: Item, settings: PlanSettings, crm: Item[] = [], current = new Map<string, Item | null>()) =>
    plan({ type: 'contact', relations: index(), changes: [{ side: 'outlook', change: { kind: 'upsert', item: o } }], candidates: { crm: byKey(...crm) }, current: { crm: current } }, settings);

  test('are created in the CRM under OutlookToOroCRM and Both', () => {
    for (const direction of ['OutlookToOroCRM', 'Both'] as const) {
      expect(newOutlook(item('o1', 'v', ANN, null), { direction, conflictResolution: 'OroCRMAlwaysWins' }).map((a) => a.kind)).toEqual(['CreateInCrm']);
    }
  });

  test('are ignored under OroCRMToOutlook', () => {
    expect(newOutlook(item('o1', 'v', ANN, null), { direction: 'OroCRMToOutlook', conflictResolution: 'OroCRMAlwaysWins' }).map((a) => a.kind)).toEqual(['Ignore']);
  });

  test('an unlinked item stamped with an existing CRM id is re-linked by the stamp, in every direction', () => {
    for (const direction of ['OroCRMToOutlook', 'OutlookToOroCRM', 'Both'] as const) {
      const actions = newOutlook(item('o1', 'v', contact({ firstName: 'Renamed' }), 'c9'), { direction, conflictResolution: 'OroCRMAlwaysWins' }, [], new Map([['c9', item('c9', 'cv', ANN)]]));
      expect(actions).toEqual([expect.objectContaining({ kind: 'LinkMatched', crm: expect.objectContaining({ id: 'c9' }) })]);
    }
  });

  test('an item stamped with a CRM id that no longer exists is treated as new', () => {
    const actions = newOutlook(item('o1', 'v', ANN, 'gone'), both(), [], new Map([['gone', null]]));
    expect(actions.map((a) => a.kind)).toEqual(['CreateInCrm']);
  });
});

describe('the mass-deletion guard', () => {
  test('stops a cycle deleting more than 10 items and more than 25% of the linked items', () => {
    expect(needsDeletionConfirmation(11, 40)).toBe(true);
    expect(needsDeletionConfirmation(26, 100)).toBe(true);
  });
  test('lets 10 deletions through whatever the share', () => {
    expect(needsDeletionConfirmation(10, 10)).toBe(false);
  });
  test('lets many deletions through when they are at most a quarter of the linked items', () => {
    expect(needsDeletionConfirmation(25, 100)).toBe(false);
    expect(needsDeletionConfirmation(11, 44)).toBe(false);
  });
});
