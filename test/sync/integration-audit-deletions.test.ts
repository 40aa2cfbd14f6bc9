// Issue 11, finding 4: CRM deletions reach Outlook whether or not the user may read Oro's audit log
// (DataAuditBundle's `oro_dataaudit_view` is usually given to administrators only): refused from the
// start, ids are reconciled; refused later (an administrator takes the permission away), the
// deletions since the last audit read are found by a full round, and reconciliation takes over.
import { byName, startWorld, type World } from '../support/world';

jest.setTimeout(60_000);

let w: World;
afterEach(async () => {
  await w?.close();
});

const auditMode = async (mode: 'on' | 'forbidden') => {
  const res = await fetch(`${w.crmUrl}/_emulator/audit`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mode }) });
  expect(res.status).toBe(200);
};

async function deleteCrmContact(name: string): Promise<void> {
  const crm = byName('contact', await w.list('crm', 'contact'));
  expect(crm[name]).toBeDefined();
  expect((await w.crmApi('DELETE', `/api/contacts/${crm[name].id}`)).status).toBe(204);
}

const outlookNames = async () => Object.keys(byName('contact', await w.list('outlook', 'contact')));

test.each([
  ['refused from the start', 'before'],
  ['taken away after the first sync', 'after'],
] as const)('with the audit log %s, a contact deleted in OroCRM is deleted in Outlook (OroCRMAlwaysWins)', async (_, when) => {
  w = await startWorld({ settings: { calendar_events_enabled: false, tasks_enabled: false } });
  if (when === 'before') await auditMode('forbidden');
  await w.engine.syncNow();
  expect(await outlookNames()).toContain('Mei Tanaka');
  await deleteCrmContact('Mei Tanaka');
  if (when === 'after') await auditMode('forbidden');
  await w.engine.syncNow();
  expect(await outlookNames()).not.toContain('Mei Tanaka');
  expect(await outlookNames()).toContain('Olu Adebayo');
  // And the next deletion, now by reconciliation.
  await deleteCrmContact('Olu Adebayo');
  await w.engine.syncNow();
  expect(await outlookNames()).not.toContain('Olu Adebayo');
});
