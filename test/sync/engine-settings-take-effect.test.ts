// Settings through the engine: a type switched off is not touched at all, and a new direction applies to
// what the old one ignored (the next cycle re-reads the type in full).
import { makeWorld, person, settingsWith, outlookContacts, crmContacts } from './engine-helpers';

describe('settings take effect on the next cycle', () => {
  test('a type switched off after syncing is not touched: its edits wait, nothing is read or written for it', async () => {
    const w = await makeWorld(settingsWith({ tasks_enabled: true }));
    const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
    const t = w.crm.userCreate('task', { subject: 'Call', priority: 'normal', dueDate: null, status: 'open' });
    await w.engine.syncNow();
    await w.engine.syncNow();
    w.engine.setSettings(settingsWith({ tasks_enabled: true, contacts_enabled: false }));
    w.crm.userUpdate('contact', c, { jobTitle: 'CEO' });
    w.crm.userUpdate('task', t, { status: 'closed' });
    const touched: string[] = [];
    for (const side of [w.crm, w.outlook]) {
      for (const m of ['readChanges', 'get', 'apply', 'findByKey', 'findByCrmId', 'findCreated'] as const) {
        const original = (side[m] as (...a: unknown[]) => unknown).bind(side);
        (side as unknown as Record<string, unknown>)[m] = (type: string, ...rest: unknown[]) => {
          touched.push(type);
          return original(type, ...rest);
        };
      }
    }
    await w.engine.syncNow();
    expect(new Set(touched)).toEqual(new Set(['task']));
    expect(outlookContacts(w)['Ann Lee'].record.jobTitle).toBeNull();
    expect(w.outlook.all('task')[0].record.status).toBe('closed');
    expect(w.engine.getStatus().types.contact.enabled).toBe(false);
  });

  test('switching OroCRMToOutlook to Both sends the Outlook edits and items the old direction ignored', async () => {
    const w = await makeWorld(settingsWith({ contacts_sync_direction: 'OroCRMToOutlook' }));
    const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
    await w.engine.syncNow();
    w.outlook.userUpdate('contact', w.outlook.all('contact')[0].id, { phone: '555' });
    w.outlook.userCreate('contact', person('Cy', 'Dee'));
    await w.engine.syncNow();
    expect(w.crm.all('contact')).toHaveLength(1);

    w.engine.setSettings(settingsWith({ contacts_sync_direction: 'Both' }));
    await w.engine.syncNow();
    await w.engine.syncNow();
    expect(w.crm.find('contact', c)!.record.phone).toBe('555');
    expect(Object.keys(crmContacts(w)).sort()).toEqual(['Ann Lee', 'Cy Dee']);
    expect(outlookContacts(w)['Cy Dee'].crmId).toBe(crmContacts(w)['Cy Dee'].id);
  });

  test('switching Both to OutlookToOroCRM stops CRM edits reaching Outlook from the next cycle', async () => {
    const w = await makeWorld();
    const c = w.crm.userCreate('contact', person('Ann', 'Lee'));
    await w.engine.syncNow();
    w.engine.setSettings(settingsWith({ contacts_sync_direction: 'OutlookToOroCRM' }));
    w.crm.userUpdate('contact', c, { jobTitle: 'CEO' });
    await w.engine.syncNow();
    await w.engine.syncNow();
    expect(outlookContacts(w)['Ann Lee'].record.jobTitle).toBeNull();
  });
});
