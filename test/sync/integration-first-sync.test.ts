// The engine over HTTP against both emulators' demo data (fake IndexedDB store): the first sync under
// Both matches the overlapping items, creates the one-sided ones, leaves personal items alone.
import { CRM_ONLY_CONTACTS, CRM_ONLY_EVENTS, CRM_ONLY_TASKS, OUTLOOK_ONLY_CONTACTS, OUTLOOK_ONLY_EVENTS, OUTLOOK_ONLY_TASKS, OVERLAPPING_CONTACTS, OVERLAPPING_EVENTS, OVERLAPPING_TASKS, PERSONAL_CONTACTS, PERSONAL_TASKS } from '../emulators/demo-data';
import { ENTITY_TYPES, type EntityType } from '../../src/sync/records';
import { byName, duplicateStamps, nameOf, startWorld, writesIn, type World } from '../support/world';

jest.setTimeout(60_000);

const expectedNames: Record<EntityType, string[]> = {
  contact: [...OVERLAPPING_CONTACTS, ...CRM_ONLY_CONTACTS, ...OUTLOOK_ONLY_CONTACTS].map((r) => nameOf('contact', r)).sort(),
  task: [...OVERLAPPING_TASKS, ...CRM_ONLY_TASKS, ...OUTLOOK_ONLY_TASKS].map((r) => nameOf('task', r)).sort(),
  event: [...OVERLAPPING_EVENTS, ...CRM_ONLY_EVENTS, ...OUTLOOK_ONLY_EVENTS].map((r) => nameOf('event', r)).sort(),
};

describe('first sync of the demo data under Both', () => {
  let w: World;
  let mailboxBefore: Record<string, Array<Record<string, any>>>;

  beforeAll(async () => {
    w = await startWorld();
    mailboxBefore = await w.mailbox();
    await w.engine.syncNow();
  });
  afterAll(() => w.close());

  test.each(ENTITY_TYPES)('every %s exists once on each side, linked both ways by its CRM id', async (type) => {
    const crm = byName(type, await w.list('crm', type));
    const outlook = await w.list('outlook', type);
    expect(duplicateStamps(outlook)).toEqual([]);
    const ol = byName(type, outlook);
    expect(Object.keys(crm).sort()).toEqual(expectedNames[type]);
    expect(Object.keys(ol).sort()).toEqual(expectedNames[type]);
    for (const name of expectedNames[type]) expect(ol[name].crmId).toBe(crm[name].id);
    const relations = await w.store.relations(type);
    expect(relations).toHaveLength(expectedNames[type].length);
  });

  test('overlapping CRM records are matched, not duplicated: they keep their ids', async () => {
    const crm = byName('contact', await w.list('crm', 'contact'));
    // The emulator seeds alice's overlapping contacts first (ids 1 and 2); a duplicate would have a new id.
    expect(OVERLAPPING_CONTACTS.map((c) => crm[nameOf('contact', c)].id).sort()).toEqual(['1', '2']);
    const outlookIds = (mailboxBefore.contact ?? []).filter((c) => OVERLAPPING_CONTACTS.some((o) => o.firstName === c.givenName)).map((c) => c.id).sort();
    const after = byName('contact', await w.list('outlook', 'contact'));
    expect(OVERLAPPING_CONTACTS.map((c) => after[nameOf('contact', c)].id).sort()).toEqual(outlookIds);
  });

  test('personal items (default contact folder, default To Do list) are untouched and never reach the CRM', async () => {
    const now = await w.mailbox();
    const personalFolder = mailboxBefore.contactFolder.find((f) => f.displayName !== 'OroCRM')!.id;
    const inFolder = (m: typeof now, folder: string) => m.contact.filter((c) => c.parent === folder).map((c) => ({ ...c }));
    expect(inFolder(now, personalFolder)).toEqual(inFolder(mailboxBefore, personalFolder));
    const defaultList = mailboxBefore.todoList.find((l) => l.wellknownListName === 'defaultList')!.id;
    expect(now.task.filter((t) => t.parent === defaultList)).toEqual(mailboxBefore.task.filter((t) => t.parent === defaultList));
    const crmNames = [...(await w.list('crm', 'contact')).map((i) => nameOf('contact', i.record)), ...(await w.list('crm', 'task')).map((i) => nameOf('task', i.record))];
    for (const p of [...PERSONAL_CONTACTS.map((c) => nameOf('contact', c)), ...PERSONAL_TASKS.map((t) => nameOf('task', t))]) expect(crmNames).not.toContain(p);
  });

  test('bob\'s CRM records are not alice\'s: none reaches her mailbox', async () => {
    const names = (await w.list('outlook', 'contact')).map((i) => nameOf('contact', i.record));
    expect(names).not.toContain('Zed Zulu');
  });

  test('the next two cycles write nothing (echo suppression)', async () => {
    const summaries = [...(await w.engine.syncNow()), ...(await w.engine.syncNow())];
    for (const s of summaries) expect(s.written).toEqual({ crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } });
    await w.resetStats();
    await w.engine.syncNow();
    expect(writesIn(await w.stats('crm'))).toEqual({});
    expect(writesIn(await w.stats('graph'))).toEqual({});
    expect(w.engine.getStatus().lastError).toBeNull();
  });
});

