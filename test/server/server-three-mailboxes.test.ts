// `npm run server` on the emulators with no pane open (issue 12): every configured mailbox is synced by
// the server's workers, each user's records in their own mailbox and owned by them, no duplicates.
import { BOB_CONTACTS, CRM_ONLY_CONTACTS, OUTLOOK_ONLY_CONTACTS, OVERLAPPING_CONTACTS } from '../emulators/demo-data';
import { startServerWorld, type ServerWorld } from '../support/server-world';

jest.setTimeout(240_000);

let w: ServerWorld;
beforeAll(async () => {
  // carol is configured but unknown to the CRM: a poison mailbox beside three good ones.
  w = await startServerWorld({ processes: 2, extraUsers: [{ crmUser: 'carol', mailbox: 'carol@acme.test' }] });
});
afterAll(() => w?.close());

const surnames = (items: Array<Record<string, any>>) => items.map((c) => c.surname ?? null).sort();

test('three mailboxes are synced by two workers with no pane open', async () => {
  await w.waitFor('every mailbox checked on both sides', async () => {
    const all = await w.statuses();
    return ['alice@acme.test', 'bob@acme.test', 'admin@acme.test'].every((m) => all[m]?.lastCheck.crm && all[m]?.lastCheck.outlook);
  }, 120_000);

  // alice: her CRM-only contacts are in her "OroCRM" folder, her Outlook-only ones in the CRM as hers.
  const alice = await w.mailbox('alice');
  const folder = alice.contactFolder.find((f) => f.displayName === 'OroCRM')!;
  const inFolder = alice.contact.filter((c) => c.parent === folder.id);
  const expected = [...OVERLAPPING_CONTACTS, ...OUTLOOK_ONLY_CONTACTS, ...CRM_ONLY_CONTACTS].map((c) => c.lastName).sort();
  expect(surnames(inFolder)).toEqual(expected);
  const aliceCrm = await w.crmApi('alice', 'GET', '/api/rest/latest/calendars/default');
  const crmContacts = await w.crmApi('alice', 'GET', `/api/contacts?filter[owner]=${aliceCrm.body.owner}&page[size]=-1`);
  expect(crmContacts.body.data.map((c: any) => c.attributes.lastName).sort()).toEqual(expected);

  // bob: his CRM contact reached his own mailbox, and nobody else's.
  const bob = await w.mailbox('bob');
  const bobFolder = bob.contactFolder.find((f) => f.displayName === 'OroCRM')!;
  expect(surnames(bob.contact.filter((c) => c.parent === bobFolder.id))).toEqual(BOB_CONTACTS.map((c) => c.lastName));
  expect(surnames(alice.contact)).not.toContain(BOB_CONTACTS[0].lastName);

  // admin: an empty mailbox got its "OroCRM" folder and list, and nothing else.
  const admin = await w.mailbox('admin');
  expect(admin.contactFolder.map((f) => f.displayName)).toContain('OroCRM');
  expect(admin.contact).toEqual([]);

  // The status page lists every mailbox and the queue.
  const page = await (await fetch(w.server.statusUrl)).text();
  for (const m of ['alice@acme.test', 'bob@acme.test', 'admin@acme.test']) expect(page).toContain(m);
  expect(page).toContain('id="queue"');
  const all = await w.statuses();
  expect(all['alice@acme.test'].totals.outlook.created).toBe(CRM_ONLY_CONTACTS.length + 2); // + the CRM-only task and event
});

test('a poison mailbox backs off and is reported, without holding up the others', async () => {
  const carol = await w.waitFor('carol to be reported as failing', async () => {
    const s = (await w.statuses())['carol@acme.test'];
    return s?.state === 'failing' ? s : null;
  });
  expect(carol.failures).toBeGreaterThanOrEqual(1);
  expect(Date.parse(carol.backoffUntil!)).toBeGreaterThan(Date.parse(carol.lastError!.at));
  expect(carol.lastError!.message).toContain('carol');
  const all = await w.statuses();
  for (const m of ['alice@acme.test', 'bob@acme.test', 'admin@acme.test']) expect(all[m].state).toBe('ok');
  const page = await (await fetch(w.server.statusUrl)).text();
  expect(page).toMatch(/carol@acme\.test.*failing/s);
});
