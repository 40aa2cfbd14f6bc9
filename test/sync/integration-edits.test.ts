// Edits, conflicts and deletions over HTTP: each change flows on the right cycle and per the table
// (issue 4, "Behaviour"). Contacts only, to keep each world small.
import type { ConflictResolution, SyncDirection } from '../../src/settings/options';
import { byName, startWorld, writesIn, type World } from '../support/world';

jest.setTimeout(60_000);

const CONTACTS_ONLY = { tasks_enabled: false, calendar_events_enabled: false } as const;
let w: World;
const NOTHING = { crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } };

afterEach(async () => {
  await w?.close();
});

async function synced(direction: SyncDirection = 'Both', rule: ConflictResolution = 'OroCRMAlwaysWins'): Promise<World> {
  w = await startWorld({ settings: { ...CONTACTS_ONLY, contacts_sync_direction: direction, contacts_conflict_resolution: rule } });
  // The first sync under Both links every demo contact; later tests switch direction on linked pairs.
  const first = w.settings.contacts_sync_direction;
  w.engine.setSettings({ ...w.settings, contacts_sync_direction: 'Both' });
  await w.engine.syncNow();
  w.engine.setSettings({ ...w.settings, contacts_sync_direction: first });
  w.settings.contacts_sync_direction = first;
  await w.engine.syncNow();
  return w;
}

async function contacts(side: 'crm' | 'outlook') {
  return byName('contact', await w.list(side, 'contact'));
}

async function crmEdit(id: string, attributes: Record<string, unknown>): Promise<void> {
  const res = await w.crmApi('PATCH', `/api/contacts/${id}`, { data: { type: 'contacts', id, attributes } });
  expect(res.status).toBe(200);
}

async function outlookEdit(id: string, body: Record<string, unknown>): Promise<void> {
  const res = await w.graphApi('PATCH', `/me/contacts/${id}`, body);
  expect(res.status).toBe(200);
}

async function crmDelete(id: string): Promise<void> {
  expect((await w.crmApi('DELETE', `/api/contacts/${id}`)).status).toBe(204);
}

async function outlookDelete(id: string): Promise<void> {
  expect((await w.graphApi('DELETE', `/me/contacts/${id}`)).status).toBe(204);
}

describe('edits flow on the right cycle', () => {
  test('a CRM edit reaches Outlook on the next CRM cycle, not on an Outlook cycle', async () => {
    await synced();
    const ann = (await contacts('crm'))['Ann Lee'];
    await crmEdit(ann.id, { jobTitle: 'CEO' });
    await w.engine.runOutlookCycle();
    expect((await contacts('outlook'))['Ann Lee'].record.jobTitle).toBe('CTO');
    await w.engine.runCrmCycle();
    expect((await contacts('outlook'))['Ann Lee'].record.jobTitle).toBe('CEO');
  });

  test('an Outlook edit reaches the CRM on the next Outlook cycle, not on a CRM cycle', async () => {
    await synced();
    const carlos = (await contacts('outlook'))['Carlos Diaz'];
    await outlookEdit(carlos.id, { jobTitle: 'Head of Sales' });
    await w.engine.runCrmCycle();
    expect((await contacts('crm'))['Carlos Diaz'].record.jobTitle).toBeNull();
    await w.engine.runOutlookCycle();
    expect((await contacts('crm'))['Carlos Diaz'].record.jobTitle).toBe('Head of Sales');
  });

  test('an Outlook edit to a contact with an address reaches the CRM once: the CRM\'s answer is our echo', async () => {
    await synced();
    // Ann has a business address; a sparse update does not send it, and Oro's batch answer only lists it.
    await outlookEdit((await contacts('outlook'))['Ann Lee'].id, { personalNotes: 'Prefers email' });
    await w.engine.syncNow();
    expect((await contacts('crm'))['Ann Lee'].record).toEqual(expect.objectContaining({ description: 'Prefers email', businessAddress: expect.objectContaining({ city: 'Springfield' }) }));
    await w.resetStats();
    const idle = await w.engine.syncNow();
    expect(idle.map((s) => s.written)).toEqual([NOTHING, NOTHING]);
    expect(writesIn(await w.stats('crm'))).toEqual({});
    expect(writesIn(await w.stats('graph'))).toEqual({});
  });

  test('edits to different fields of one contact on both sides both survive (Both)', async () => {
    await synced();
    const crm = (await contacts('crm'))['Ann Lee'];
    const outlook = (await contacts('outlook'))['Ann Lee'];
    await crmEdit(crm.id, { jobTitle: 'CEO' });
    await outlookEdit(outlook.id, { personalNotes: 'Prefers email' });
    await w.engine.syncNow();
    await w.engine.syncNow();
    for (const side of ['crm', 'outlook'] as const) {
      expect((await contacts(side))['Ann Lee'].record).toEqual(expect.objectContaining({ jobTitle: 'CEO', description: 'Prefers email' }));
    }
    expect(await w.store.conflicts()).toEqual([]);
  });
});

describe('a conflict goes to the rule\'s winner and is logged', () => {
  test.each([
    ['Both', 'OroCRMAlwaysWins', 'CRM title', 'crm', 'OroCRM always wins'],
    ['Both', 'OutlookAlwaysWins', 'Outlook title', 'outlook', 'Outlook always wins'],
  ] as const)('%s + %s: the same field changed on both sides ends as "%s"', async (direction, rule, expected, winner, ruleText) => {
    await synced(direction, rule);
    const crm = (await contacts('crm'))['Ann Lee'];
    const outlook = (await contacts('outlook'))['Ann Lee'];
    await crmEdit(crm.id, { jobTitle: 'CRM title' });
    await outlookEdit(outlook.id, { jobTitle: 'Outlook title', personalNotes: 'Outlook-only edit' });
    await w.engine.syncNow();
    await w.engine.syncNow();
    for (const side of ['crm', 'outlook'] as const) {
      expect((await contacts(side))['Ann Lee'].record).toEqual(expect.objectContaining({ jobTitle: expected, description: 'Outlook-only edit' }));
    }
    const loser = winner === 'crm' ? 'Outlook title' : 'CRM title';
    expect(await w.store.conflicts()).toEqual([expect.objectContaining({ item: 'Ann Lee', fields: ['jobTitle'], winner, rule: ruleText, losingValues: { jobTitle: loser } })]);
  });

  test.each([
    ['OroCRMToOutlook', 'CRM title'],
    ['OutlookToOroCRM', 'Outlook title'],
  ] as const)('%s: the source side overwrites the other on a double edit', async (direction, expected) => {
    await synced(direction);
    const crm = (await contacts('crm'))['Ann Lee'];
    const outlook = (await contacts('outlook'))['Ann Lee'];
    await crmEdit(crm.id, { jobTitle: 'CRM title' });
    await outlookEdit(outlook.id, { jobTitle: 'Outlook title' });
    await w.engine.syncNow();
    await w.engine.syncNow();
    for (const side of ['crm', 'outlook'] as const) expect((await contacts(side))['Ann Lee'].record.jobTitle).toBe(expected);
  });
});

describe('deletions', () => {
  test.each(['Both', 'OroCRMToOutlook', 'OutlookToOroCRM'] as const)('an Outlook delete never deletes the CRM contact (%s)', async (direction) => {
    await synced(direction);
    const crm = (await contacts('crm'))['Mei Tanaka'];
    await outlookDelete((await contacts('outlook'))['Mei Tanaka'].id);
    await w.resetStats();
    await w.engine.syncNow();
    await w.engine.syncNow();
    expect((await contacts('crm'))['Mei Tanaka'].id).toBe(crm.id);
    expect(Object.keys((await w.stats('crm')).byRoute).filter((r) => r.startsWith('DELETE'))).toEqual([]);
    const inOutlook = (await contacts('outlook'))['Mei Tanaka'];
    if (direction === 'OutlookToOroCRM') {
      // Unlinked: the CRM record stays, nothing is re-added.
      expect(inOutlook).toBeUndefined();
      expect(await w.store.relationByCrmId('contact', crm.id)).toBeUndefined();
    } else {
      // Recreated from the CRM, stamped with its id.
      expect(inOutlook.crmId).toBe(crm.id);
    }
  });

  test('a CRM delete deletes the Outlook contact under Both + OroCRMAlwaysWins', async () => {
    await synced('Both', 'OroCRMAlwaysWins');
    await crmDelete((await contacts('crm'))['Olu Adebayo'].id);
    await w.engine.syncNow();
    await w.engine.syncNow();
    expect((await contacts('outlook'))['Olu Adebayo']).toBeUndefined();
    expect((await contacts('crm'))['Olu Adebayo']).toBeUndefined();
  });

  test('a CRM delete is undone from Outlook under Both + OutlookAlwaysWins: the contact is recreated in the CRM', async () => {
    await synced('Both', 'OutlookAlwaysWins');
    const old = (await contacts('crm'))['Olu Adebayo'].id;
    await crmDelete(old);
    await w.engine.syncNow();
    await w.engine.syncNow();
    const crm = (await contacts('crm'))['Olu Adebayo'];
    expect(crm.id).not.toBe(old);
    expect((await contacts('outlook'))['Olu Adebayo'].crmId).toBe(crm.id);
  });

  test('a CRM delete under OroCRMToOutlook keeps the Outlook contact and clears its CRM id', async () => {
    await synced('OroCRMToOutlook');
    await crmDelete((await contacts('crm'))['Olu Adebayo'].id);
    await w.engine.syncNow();
    await w.engine.syncNow();
    const outlook = (await contacts('outlook'))['Olu Adebayo'];
    expect(outlook).toBeDefined();
    expect(outlook.crmId ?? null).toBeNull();
    expect((await contacts('crm'))['Olu Adebayo']).toBeUndefined();
  });

  test('a CRM delete under OutlookToOroCRM deletes the Outlook contact', async () => {
    await synced('OutlookToOroCRM');
    await crmDelete((await contacts('crm'))['Olu Adebayo'].id);
    await w.engine.syncNow();
    await w.engine.syncNow();
    expect((await contacts('outlook'))['Olu Adebayo']).toBeUndefined();
  });
});
