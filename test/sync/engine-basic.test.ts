// The engine on memory sides: first sync, edits both ways, deletes per the table, echo suppression,
// full resync, toggled-off types, the mass-deletion guard and status.
import { makeWorld, person, settingsWith, outlookContacts, crmContacts } from './engine-helpers';

describe('SyncEngine on memory sides', () => {
  test('first sync copies CRM contacts to Outlook stamped with their CRM id, and links matching ones without duplicates', async () => {
    const w = await makeWorld();
    const ann = w.crm.userCreate('contact', person('Ann', 'Lee', { jobTitle: 'Buyer' }));
    w.crm.userCreate('contact', person('Bob', 'Ray'));
    w.outlook.userCreate('contact', person('Ann', 'Lee', { jobTitle: 'Old title' }));
    w.outlook.userCreate('contact', person('Cy', 'Dee'));
    await w.engine.syncNow();
    await w.engine.syncNow();
    const outlook = outlookContacts(w);
    expect(Object.keys(outlook).sort()).toEqual(['Ann Lee', 'Bob Ray', 'Cy Dee']);
    expect(outlook['Ann Lee']).toEqual({ crmId: ann, record: expect.objectContaining({ jobTitle: 'Buyer' }) });
    expect(Object.keys(crmContacts(w)).sort()).toEqual(['Ann Lee', 'Bob Ray', 'Cy Dee']);
    expect(outlook['Cy Dee'].crmId).toBe(crmContacts(w)['Cy Dee'].id);
    const conflicts = await w.store.conflicts();
    expect(conflicts).toEqual([expect.objectContaining({ item: 'Ann Lee', fields: ['jobTitle'], rule: 'OroCRM always wins', winner: 'crm', losingValues: { jobTitle: 'Old title' } })]);
  });

  test('an idle cycle writes nothing: our own writes come back as echoes', async () => {
    const w = await makeWorld();
    w.crm.userCreate('contact', person('Ann', 'Lee'));
    w.outlook.userCreate('contact', person('Bob', 'Ray'));
    await w.engine.syncNow();
    await w.engine.syncNow();
    const before = { ...w.crm.sent, o: { ...w.outlook.sent } };
    await w.engine.syncNow();
    expect({ ...w.crm.sent, o: { ...w.outlook.sent } }).toEqual(before);
  });

  test('edits on different fields on both sides both survive (Both)', async () => {
    const w = await makeWorld();
    const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
    await w.engine.syncNow();
    const o = w.outlook.all('contact')[0].id;
    w.crm.userUpdate('contact', c, { jobTitle: 'CEO' });
    w.outlook.userUpdate('contact', o, { phone: '555' });
    await w.engine.syncNow();
    await w.engine.syncNow();
    expect(w.crm.find('contact', c)!.record).toEqual(expect.objectContaining({ jobTitle: 'CEO', phone: '555' }));
    expect(w.outlook.find('contact', o)!.record).toEqual(expect.objectContaining({ jobTitle: 'CEO', phone: '555' }));
  });

  test('Outlook-side delete does not delete the CRM contact and re-adds it to Outlook (Both)', async () => {
    const w = await makeWorld();
    const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
    await w.engine.syncNow();
    w.outlook.userDelete('contact', w.outlook.all('contact')[0].id);
    await w.engine.syncNow();
    expect(w.crm.find('contact', c)).toBeDefined();
    expect(w.outlook.all('contact').map((i) => i.crmId)).toEqual([c]);
    expect(w.crm.sent.delete).toBe(0);
  });

  test('CRM delete removes the Outlook item under OroCRMAlwaysWins (Both)', async () => {
    const w = await makeWorld();
    const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
    await w.engine.syncNow();
    w.crm.userDelete('contact', c);
    await w.engine.syncNow();
    expect(w.outlook.all('contact')).toEqual([]);
    expect(await w.store.relations('contact')).toEqual([]);
  });

  test('CRM delete recreates the record in the CRM under OutlookAlwaysWins (Both), logged', async () => {
    const w = await makeWorld(settingsWith({ contacts_conflict_resolution: 'OutlookAlwaysWins' }));
    const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
    await w.engine.syncNow();
    w.crm.userDelete('contact', c);
    await w.engine.syncNow();
    const [again] = w.crm.all('contact');
    expect(again.record.firstName).toBe('Ann');
    expect(w.outlook.all('contact').map((i) => i.crmId)).toEqual([again.id]);
    expect((await w.store.conflicts())[0]).toEqual(expect.objectContaining({ rule: 'Outlook always wins', winner: 'outlook' }));
  });

  test('CRM delete under OroCRMToOutlook keeps the Outlook item and clears its OroCRM id', async () => {
    const w = await makeWorld(settingsWith({ contacts_sync_direction: 'OroCRMToOutlook' }));
    const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
    await w.engine.syncNow();
    w.crm.userDelete('contact', c);
    await w.engine.syncNow();
    expect(w.outlook.all('contact').map((i) => i.crmId)).toEqual([null]);
  });

  test('a delta checkpoint the service forgot leads to a full re-read without duplicates', async () => {
    const w = await makeWorld();
    w.crm.userCreate('contact', person('Ann', 'Lee'));
    w.outlook.userCreate('contact', person('Bob', 'Ray'));
    await w.engine.syncNow();
    w.outlook.faults.resyncNext = true;
    w.crm.faults.resyncNext = true;
    await w.engine.syncNow();
    await w.engine.syncNow();
    expect(w.outlook.all('contact')).toHaveLength(2);
    expect(w.crm.all('contact')).toHaveLength(2);
  });

  test('a toggled-off entity type is not touched', async () => {
    const w = await makeWorld(settingsWith({ tasks_enabled: false }));
    w.crm.userCreate('task', { subject: 'Call', priority: 'normal', dueDate: null, status: 'open' });
    await w.engine.syncNow();
    expect(w.outlook.all('task')).toEqual([]);
    w.engine.setSettings(settingsWith({ tasks_enabled: true }));
    await w.engine.syncNow();
    expect(w.outlook.all('task')).toHaveLength(1);
  });

  test('a cycle that would delete more than 10 items and a quarter of the links waits for confirmation', async () => {
    const w = await makeWorld();
    const ids = Array.from({ length: 12 }, (_, i) => w.crm.userCreate('contact', person(`P${i}`, 'X')));
    await w.engine.syncNow();
    for (const id of ids) w.crm.userDelete('contact', id);
    await w.engine.syncNow();
    expect(w.outlook.all('contact')).toHaveLength(12);
    expect(w.engine.getStatus().pendingDeletions).toEqual([expect.objectContaining({ type: 'contact', count: 12, linked: 12 })]);
    await w.engine.confirmDeletions('contact');
    await w.engine.syncNow();
    expect(w.outlook.all('contact')).toHaveLength(0);
    expect(w.engine.getStatus().pendingDeletions).toEqual([]);
    expect(w.engine.getStatus().types.contact.outlook.deleted).toBe(12);
  });

  test('status counts per type and side reach subscribers and the store', async () => {
    const w = await makeWorld();
    w.crm.userCreate('contact', person('Ann', 'Lee'));
    const seen: number[] = [];
    w.engine.subscribe((s) => seen.push(s.types.contact.outlook.created));
    await w.engine.syncNow();
    expect(seen.at(-1)).toBe(1);
    const stored = await w.store.status<ReturnType<typeof w.engine.getStatus>>();
    expect(stored?.types.contact.outlook.created).toBe(1);
    expect(stored?.types.contact.crm.lastCheck).not.toBeNull();
    expect(stored?.types.contact.linked).toBe(1);
  });

  test('refusing a mass deletion keeps the Outlook items, unlinked and without their OroCRM id', async () => {
    const w = await makeWorld(settingsWith({ contacts_sync_direction: 'OutlookToOroCRM' }));
    const ids = Array.from({ length: 12 }, (_, i) => w.outlook.userCreate('contact', person(`P${i}`, 'X')));
    await w.engine.syncNow();
    for (const c of w.crm.all('contact')) w.crm.userDelete('contact', c.id);
    await w.engine.syncNow();
    expect(w.engine.getStatus().pendingDeletions).toHaveLength(1);
    await w.engine.keepInsteadOfDeleting('contact');
    expect(w.outlook.all('contact').map((i) => i.id).sort()).toEqual([...ids].sort());
    expect(w.outlook.all('contact').every((i) => i.crmId === null)).toBe(true);
    expect(await w.store.relations('contact')).toEqual([]);
    expect(await w.store.journal()).toEqual([]);
    expect(w.engine.getStatus().pendingDeletions).toEqual([]);
  });

  test('a failed cycle leaves the last error in plain words, and the next good cycle clears it', async () => {
    const w = await makeWorld();
    w.crm.userCreate('contact', person('Ann', 'Lee'));
    w.crm.faults.transientRate = 1;
    await expect(w.engine.runCrmCycle()).rejects.toThrow();
    expect(w.engine.getStatus().lastError).toEqual(expect.objectContaining({ side: 'crm', type: 'contact', retryable: true, message: expect.stringMatching(/^OroCRM (is busy|could not be reached)/) }));
    w.crm.faults.transientRate = 0;
    await w.engine.runCrmCycle();
    expect(w.engine.getStatus().lastError).toBeNull();
    expect(w.outlook.all('contact')).toHaveLength(1);
  });
});
