// The behaviour table through the engine on memory sides, for the directions engine-basic.test.ts does not
// cover, plus conflict logging, ambiguous keys in the status, first-sync keys of tasks and events, and the
// mass-deletion guard's exact limits (> 10 and > 25% of the linked items).
import type { EventRecord, TaskRecord } from '../../src/sync/records';
import { makeWorld, person, settingsWith, outlookContacts, crmContacts, type World } from './engine-helpers';

const OUTLOOK_TO_CRM = settingsWith({ contacts_sync_direction: 'OutlookToOroCRM' });
const CRM_TO_OUTLOOK = settingsWith({ contacts_sync_direction: 'OroCRMToOutlook' });

async function twice(w: World): Promise<void> {
  await w.engine.syncNow();
  await w.engine.syncNow();
}

describe('OutlookToOroCRM through the engine', () => {
  test('new Outlook items are created in the CRM and stamped; new CRM records and CRM edits stay out of Outlook', async () => {
    const w = await makeWorld(OUTLOOK_TO_CRM);
    w.outlook.userCreate('contact', person('Ann', 'Lee'));
    await twice(w);
    const ann = crmContacts(w)['Ann Lee'];
    expect(outlookContacts(w)['Ann Lee'].crmId).toBe(ann.id);

    w.crm.userCreate('contact', person('Bob', 'Ray'));
    w.crm.userUpdate('contact', ann.id, { jobTitle: 'CEO' });
    await twice(w);
    expect(Object.keys(outlookContacts(w))).toEqual(['Ann Lee']);
    expect(outlookContacts(w)['Ann Lee'].record.jobTitle).toBeNull();
  });

  test('an Outlook edit updates the CRM record', async () => {
    const w = await makeWorld(OUTLOOK_TO_CRM);
    const o = w.outlook.userCreate('contact', person('Ann', 'Lee'));
    await twice(w);
    w.outlook.userUpdate('contact', o, { phone: '555' });
    await twice(w);
    expect(crmContacts(w)['Ann Lee'].record.phone).toBe('555');
  });

  test('an Outlook delete unlinks: the CRM record stays and is not copied back to Outlook', async () => {
    const w = await makeWorld(OUTLOOK_TO_CRM);
    const o = w.outlook.userCreate('contact', person('Ann', 'Lee'));
    await twice(w);
    const crmId = crmContacts(w)['Ann Lee'].id;
    w.outlook.userDelete('contact', o);
    await twice(w);
    expect(w.crm.find('contact', crmId)).toBeDefined();
    expect(w.crm.sent.delete).toBe(0);
    expect(w.outlook.all('contact')).toEqual([]);
    expect(await w.store.relations('contact')).toEqual([]);
  });

  test('a CRM delete deletes the Outlook item', async () => {
    const w = await makeWorld(OUTLOOK_TO_CRM);
    w.outlook.userCreate('contact', person('Ann', 'Lee'));
    w.outlook.userCreate('contact', person('Bob', 'Ray'));
    await twice(w);
    w.crm.userDelete('contact', crmContacts(w)['Ann Lee'].id);
    await twice(w);
    expect(Object.keys(outlookContacts(w))).toEqual(['Bob Ray']);
    expect(Object.keys(crmContacts(w))).toEqual(['Bob Ray']);
  });
});

describe('OroCRMToOutlook through the engine', () => {
  test('an Outlook delete is recreated in Outlook from the CRM, stamped with the same CRM id', async () => {
    const w = await makeWorld(CRM_TO_OUTLOOK);
    const c = w.crm.userCreate('contact', person('Ann', 'Lee', { jobTitle: 'Buyer' }));
    await twice(w);
    w.outlook.userDelete('contact', w.outlook.all('contact')[0].id);
    await twice(w);
    expect(outlookContacts(w)).toEqual({ 'Ann Lee': { crmId: c, record: expect.objectContaining({ jobTitle: 'Buyer' }) } });
    expect(w.crm.all('contact')).toHaveLength(1);
  });

  test('Outlook edits and new Outlook items do not reach the CRM', async () => {
    const w = await makeWorld(CRM_TO_OUTLOOK);
    const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
    await twice(w);
    w.outlook.userUpdate('contact', w.outlook.all('contact')[0].id, { phone: '555' });
    w.outlook.userCreate('contact', person('Cy', 'Dee'));
    await twice(w);
    expect(w.crm.all('contact').map((i) => i.id)).toEqual([c]);
    expect(w.crm.find('contact', c)!.record.phone).toBeNull();
    expect(w.crm.sent).toEqual({ create: 0, update: 0, delete: 0 });
  });

  test('changed on both sides: the CRM record overwrites the Outlook item', async () => {
    const w = await makeWorld(CRM_TO_OUTLOOK);
    const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
    await twice(w);
    const o = w.outlook.all('contact')[0].id;
    w.crm.userUpdate('contact', c, { jobTitle: 'CEO' });
    w.outlook.userUpdate('contact', o, { jobTitle: 'Owner', phone: '555' });
    await twice(w);
    expect(w.outlook.find('contact', o)!.record).toEqual(w.crm.find('contact', c)!.record);
    expect(w.outlook.find('contact', o)!.record).toEqual(expect.objectContaining({ jobTitle: 'CEO', phone: null }));
  });

  test('a CRM delete unlinks: the Outlook item stays with its content, its OroCRM id cleared, and is not sent back to the CRM', async () => {
    const w = await makeWorld(CRM_TO_OUTLOOK);
    const c = w.crm.userCreate('contact', person('Ann', 'Lee', { jobTitle: 'Buyer' }));
    await twice(w);
    w.crm.userDelete('contact', c);
    await twice(w);
    expect(outlookContacts(w)).toEqual({ 'Ann Lee': { crmId: null, record: expect.objectContaining({ jobTitle: 'Buyer' }) } });
    expect(w.crm.all('contact')).toEqual([]);
    expect(await w.store.relations('contact')).toEqual([]);
  });
});

describe('Both through the engine', () => {
  test('the same field changed on both sides goes to the rule winner and the conflict log names item, fields, rule and losing values', async () => {
    for (const rule of ['OroCRMAlwaysWins', 'OutlookAlwaysWins'] as const) {
      const w = await makeWorld(settingsWith({ contacts_conflict_resolution: rule }));
      const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
      await twice(w);
      const o = w.outlook.all('contact')[0].id;
      w.crm.userUpdate('contact', c, { jobTitle: 'CEO', description: 'crm note' });
      w.outlook.userUpdate('contact', o, { jobTitle: 'Owner', phone: '555' });
      await twice(w);
      const crmWins = rule === 'OroCRMAlwaysWins';
      const expected = expect.objectContaining({ jobTitle: crmWins ? 'CEO' : 'Owner', description: 'crm note', phone: '555' });
      expect(w.crm.find('contact', c)!.record).toEqual(expected);
      expect(w.outlook.find('contact', o)!.record).toEqual(expected);
      expect(await w.store.conflicts()).toEqual([
        expect.objectContaining({
          type: 'contact',
          crmId: c,
          outlookId: o,
          item: 'Ann Lee',
          fields: ['jobTitle'],
          rule: crmWins ? 'OroCRM always wins' : 'Outlook always wins',
          winner: crmWins ? 'crm' : 'outlook',
          losingValues: { jobTitle: crmWins ? 'Owner' : 'CEO' },
        }),
      ]);
      const status = w.engine.getStatus().types.contact;
      expect(status.crm.conflicted + status.outlook.conflicted).toBe(1);
    }
  });

  test('a key matching several Outlook items is not guessed: it is reported in the status and nothing is linked or duplicated', async () => {
    const w = await makeWorld();
    w.crm.userCreate('contact', person('Ann', 'Lee'));
    w.outlook.userCreate('contact', person('Ann', 'Lee', { phone: '1' }));
    w.outlook.userCreate('contact', person('Ann', 'Lee', { phone: '2' }));
    await twice(w);
    expect(w.crm.all('contact')).toHaveLength(1);
    expect(w.outlook.all('contact')).toHaveLength(2);
    expect(w.outlook.all('contact').every((i) => i.crmId === null)).toBe(true);
    expect(await w.store.relations('contact')).toEqual([]);
    expect(w.engine.getStatus().ambiguousMatches).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'contact', item: 'Ann Lee', candidateIds: expect.any(Array) })]),
    );
  });

  test('tasks are matched on a first sync by subject and priority, not duplicated', async () => {
    const w = await makeWorld(settingsWith({ contacts_enabled: false, tasks_enabled: true }));
    const task = (subject: string, priority: TaskRecord['priority'], dueDate: string | null = null): TaskRecord => ({ subject, priority, dueDate, status: 'open' });
    w.crm.userCreate('task', task('Call Bob', 'high', '2030-01-02'));
    w.outlook.userCreate('task', task('call bob ', 'high'));
    w.outlook.userCreate('task', task('Call Bob', 'low'));
    await twice(w);
    expect(w.crm.all('task').map((t) => `${t.record.subject}/${t.record.priority}`).sort()).toEqual(['Call Bob/high', 'Call Bob/low']);
    expect(w.outlook.all('task')).toHaveLength(2);
    const high = w.outlook.all('task').find((t) => t.record.priority === 'high')!;
    expect(high.record.dueDate).toBe('2030-01-02'); // blank on one side: filled from the other
    expect(high.crmId).toBe(w.crm.all('task').find((t) => t.record.priority === 'high')!.id);
  });

  test('events are matched on a first sync by title, start, end and all-day (timed and all-day), not duplicated', async () => {
    const w = await makeWorld(settingsWith({ contacts_enabled: false, calendar_events_enabled: true }));
    const timed: EventRecord = { title: 'Demo', start: '2030-03-01T09:00:00Z', end: '2030-03-01T10:00:00Z', allDay: false };
    const allDay: EventRecord = { title: 'Fair', start: '2030-03-02', end: '2030-03-03', allDay: true };
    w.crm.userCreate('event', timed);
    w.crm.userCreate('event', allDay);
    w.outlook.userCreate('event', { ...timed, title: 'demo' });
    w.outlook.userCreate('event', allDay);
    w.outlook.userCreate('event', { ...timed, end: '2030-03-01T11:00:00Z' }); // other end: another event
    await twice(w);
    expect(w.crm.all('event')).toHaveLength(3);
    expect(w.outlook.all('event')).toHaveLength(3);
    const stamps = w.outlook.all('event').map((e) => e.crmId);
    expect(new Set(stamps).size).toBe(3);
    expect(stamps.every((s) => s !== null && w.crm.find('event', s) !== undefined)).toBe(true);
  });
});

describe('the mass-deletion guard through the engine', () => {
  async function deleteInCrm(linked: number, deleted: number): Promise<World> {
    const w = await makeWorld();
    const ids = Array.from({ length: linked }, (_, i) => w.crm.userCreate('contact', person(`P${i}`, 'X')));
    await twice(w);
    for (const id of ids.slice(0, deleted)) w.crm.userDelete('contact', id);
    await twice(w);
    return w;
  }

  test('10 deletions go through at once, even when they are all the linked items', async () => {
    const w = await deleteInCrm(10, 10);
    expect(w.outlook.all('contact')).toEqual([]);
    expect(w.engine.getStatus().pendingDeletions).toEqual([]);
  });

  test('11 deletions among 44 linked (exactly 25%) go through at once', async () => {
    const w = await deleteInCrm(44, 11);
    expect(w.outlook.all('contact')).toHaveLength(33);
    expect(w.engine.getStatus().pendingDeletions).toEqual([]);
  });

  test('11 deletions among 40 linked wait for the user, across cycles, and nothing is deleted meanwhile', async () => {
    const w = await deleteInCrm(40, 11);
    await twice(w);
    expect(w.outlook.all('contact')).toHaveLength(40);
    expect(w.engine.getStatus().pendingDeletions).toEqual([expect.objectContaining({ type: 'contact', count: 11, linked: 40 })]);
  });
});
