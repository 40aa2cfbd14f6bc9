// Settings over HTTP: a toggled-off type is not touched, OroCRMToOutlook ignores Outlook-only items,
// and a new engine over the same store continues where the last one stopped.
import { byName, duplicateStamps, startWorld, writesIn, type World } from '../support/world';

jest.setTimeout(60_000);

let w: World;
afterEach(async () => {
  await w?.close();
});

const NOTHING = { crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } };

test('a toggled-off type is not touched: no request reaches its routes on either side', async () => {
  w = await startWorld({ settings: { tasks_enabled: false } });
  const before = await w.mailbox();
  const crmBefore = await w.list('crm', 'task');
  await w.resetStats();
  await w.engine.syncNow();
  await w.engine.syncNow();
  const routes = [...Object.keys((await w.stats('crm')).byRoute), ...Object.keys((await w.stats('graph')).byRoute)];
  expect(routes.filter((r) => /task|todo/i.test(r))).toEqual([]);
  expect((await w.mailbox()).task).toEqual(before.task);
  expect(await w.list('crm', 'task')).toEqual(crmBefore);
  // Contacts still synced.
  expect(Object.keys(byName('contact', await w.list('outlook', 'contact')))).toHaveLength(5);
});

test('OroCRMToOutlook copies CRM-only contacts to Outlook and ignores Outlook-only ones, now and later', async () => {
  w = await startWorld({ settings: { tasks_enabled: false, calendar_events_enabled: false, contacts_sync_direction: 'OroCRMToOutlook' } });
  await w.engine.syncNow();
  const crm = byName('contact', await w.list('crm', 'contact'));
  expect(Object.keys(crm).sort()).toEqual(['Ann Lee', 'Carlos Diaz', 'Mei Tanaka', 'Olu Adebayo']);
  const outlook = byName('contact', await w.list('outlook', 'contact'));
  expect(Object.keys(outlook).sort()).toEqual(['Ann Lee', 'Carlos Diaz', 'Mei Tanaka', 'Olu Adebayo', 'Priya Nair']);
  for (const name of Object.keys(crm)) expect(outlook[name].crmId).toBe(crm[name].id);
  expect(outlook['Priya Nair'].crmId ?? null).toBeNull();

  const made = await w.graphApi('POST', `/me/contactFolders/${(await w.mailbox()).contactFolder.find((f) => f.displayName === 'OroCRM')!.id}/contacts`, { givenName: 'Nia', surname: 'Long' });
  expect(made.status).toBe(201);
  await w.engine.syncNow();
  expect(Object.keys(byName('contact', await w.list('crm', 'contact')))).not.toContain('Nia Long');
});

test('a second engine over the same store continues without duplicates and its idle cycle writes nothing', async () => {
  w = await startWorld({ settings: { calendar_events_enabled: false } });
  await w.engine.syncNow();
  await w.restart();
  const folder = (await w.mailbox()).contactFolder.find((f) => f.displayName === 'OroCRM')!.id;
  expect((await w.graphApi('POST', `/me/contactFolders/${folder}/contacts`, { givenName: 'Nia', surname: 'Long' })).status).toBe(201);
  const made = await w.crmApi('POST', '/api/contacts', { data: { type: 'contacts', attributes: { firstName: 'Yan', lastName: 'Wu' } } });
  expect(made.status).toBe(201);
  await w.engine.syncNow();
  await w.restart();
  await w.engine.syncNow();
  for (const type of ['contact', 'task'] as const) {
    const outlook = await w.list('outlook', type);
    expect(duplicateStamps(outlook)).toEqual([]);
    const crm = byName(type, await w.list('crm', type));
    const ol = byName(type, outlook);
    expect(Object.keys(ol).sort()).toEqual(Object.keys(crm).sort());
    for (const name of Object.keys(crm)) expect(ol[name].crmId).toBe(crm[name].id);
  }
  expect(Object.keys(byName('contact', await w.list('crm', 'contact')))).toEqual(expect.arrayContaining(['Nia Long', 'Yan Wu']));
  await w.resetStats();
  await w.restart();
  expect((await w.engine.syncNow()).map((s) => s.written)).toEqual([NOTHING, NOTHING]);
  expect(writesIn(await w.stats('crm'))).toEqual({});
  expect(writesIn(await w.stats('graph'))).toEqual({});
});
