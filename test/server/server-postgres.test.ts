// The server on its shared store (issue 12 "Store"): two worker processes on one PostgreSQL sync two
// mailboxes and carry an edit each way, and the CRM's shared state is read once per holding of a
// mailbox, not before every job as with a SQLite file per worker.
import { Client } from 'pg';
import { CRM_ONLY_CONTACTS, OUTLOOK_ONLY_CONTACTS, OVERLAPPING_CONTACTS } from '../emulators/demo-data';
import { startServerWorld, type ServerWorld } from '../support/server-world';

jest.setTimeout(240_000);

let w: ServerWorld;
beforeAll(async () => {
  w = await startServerWorld({ processes: 2, users: ['alice', 'bob'], intervalSeconds: 2, store: 'postgres' });
});
afterAll(() => w?.close());

const crmStats = async () => ((await (await fetch(`${w.crm.url}/_control/stats`)).json()) as { byRoute: Record<string, number> }).byRoute;
const expected = [...OVERLAPPING_CONTACTS, ...OUTLOOK_ONLY_CONTACTS, ...CRM_ONLY_CONTACTS].map((c) => c.lastName).sort();

test('two workers on one PostgreSQL sync both mailboxes, edits go both ways, and the shared state is read once per mailbox', async () => {
  await w.waitFor('both mailboxes checked on both sides', async () => {
    const all = await w.statuses();
    return ['alice@acme.test', 'bob@acme.test'].every((m) => all[m]?.lastCheck.crm && all[m]?.lastCheck.outlook);
  }, 120_000);
  const me = await w.crmApi('alice', 'GET', '/api/rest/latest/calendars/default');
  const crmContacts = async () => (await w.crmApi('alice', 'GET', `/api/contacts?filter[owner]=${me.body.owner}&page[size]=-1`)).body.data as Array<{ id: string; attributes: Record<string, any> }>;
  const lee = (await crmContacts()).find((c) => c.attributes.lastName === 'Lee')!;
  expect((await w.crmApi('alice', 'PATCH', `/api/contacts/${lee.id}`, { data: { type: 'contacts', id: lee.id, attributes: { jobTitle: 'Edited in OroCRM' } } })).status).toBe(200);
  const mailbox = await w.mailbox('alice');
  const nair = mailbox.contact.find((c) => c.surname === OUTLOOK_ONLY_CONTACTS[0].lastName)!;
  expect((await w.graphApi('alice', 'PATCH', `/v1.0/me/contacts/${nair.id}`, { jobTitle: 'Edited in Outlook' })).status).toBe(200);

  await w.waitFor('both edits on the other side', async () => {
    const outlook = (await w.mailbox('alice')).contact;
    const crm = await crmContacts();
    return outlook.find((c) => c.surname === 'Lee')?.jobTitle === 'Edited in OroCRM' && crm.find((c) => c.attributes.lastName === OUTLOOK_ONLY_CONTACTS[0].lastName)?.attributes.jobTitle === 'Edited in Outlook';
  }, 120_000);
  const outlookFolder = (await w.mailbox('alice')).contactFolder.find((f) => f.displayName === 'OroCRM')!;
  expect((await w.mailbox('alice')).contact.filter((c) => c.parent === outlookFolder.id).map((c) => c.surname).sort()).toEqual(expected);
  expect((await crmContacts()).map((c) => c.attributes.lastName).sort()).toEqual(expected);

  // Every CRM job reads the user's settings; only a mailbox's first job of the server's holding reads the shared state.
  const byRoute = await crmStats();
  const crmJobs = byRoute['GET /api/outlooksettings/:scope'] ?? 0;
  expect(crmJobs).toBeGreaterThanOrEqual(6);
  expect(byRoute['GET /api/outlooksyncstate/:mailbox']).toBe(2);

  // The relations are in PostgreSQL, one set per mailbox, whichever worker wrote them.
  const db = new Client({ connectionString: w.postgres!.url });
  await db.connect();
  try {
    const rows = (await db.query("SELECT identity, count(*)::int AS n FROM relations WHERE type = 'contact' GROUP BY identity ORDER BY identity")).rows as Array<{ identity: string; n: number }>;
    expect(rows.map((r) => [decodeURIComponent(r.identity.split('|')[2]), r.n])).toEqual([
      ['alice@acme.test', expected.length],
      ['bob@acme.test', 1],
    ]);
  } finally {
    await db.end();
  }
});
