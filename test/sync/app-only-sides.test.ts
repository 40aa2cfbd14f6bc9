// The engine on app-only sides (issue 12): the Graph side rooted at /users/{upn} with a client
// credentials token, the CRM side signed in as the integration user and acting for alice. Her first
// sync must end exactly as with her own sign-in: her records, in her mailbox, owned by her.
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { findSyncUser } from '../../src/crm/sync-users';
import { ClientCredentialsTokens } from '../../src/crm/tokens';
import { createOutlookSide, GraphClientCredentialsTokens } from '../../src/outlook';
import { openMemoryStore } from '../../src/store/memory-store';
import { SyncEngine } from '../../src/sync/engine';
import { DEMO_GRAPH_APP, DEMO_SERVER_OAUTH_CLIENT, DEMO_TENANT, OUTLOOK_ONLY_CONTACTS, CRM_ONLY_CONTACTS, OVERLAPPING_CONTACTS } from '../emulators/demo-data';
import { startWorld, type World } from '../support/world';

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(() => w.close());

async function appOnlySides(mailbox: string, crmUser: string) {
  const crmHttp = new CrmHttp({ baseUrl: w.crmUrl, tokens: new ClientCredentialsTokens({ baseUrl: w.crmUrl, clientId: DEMO_SERVER_OAUTH_CLIENT.clientId, clientSecret: DEMO_SERVER_OAUTH_CLIENT.secret }) });
  const owner = await findSyncUser(crmHttp, crmUser);
  const crm = new CrmSide({ http: crmHttp, owner, retry: { attempts: 3, baseDelayMs: 2, maxDelayMs: 20 } });
  const tokens = new GraphClientCredentialsTokens({ authority: w.graphUrl, tenant: DEMO_TENANT.id, clientId: DEMO_GRAPH_APP.clientId, clientSecret: DEMO_GRAPH_APP.secret });
  const outlook = createOutlookSide({ tokens, baseUrl: `${w.graphUrl}/v1.0`, mailbox, backoffBaseMs: 2, backoffMaxMs: 20 });
  return { crm, outlook, owner };
}

test("alice's first sync through app-only sides copies her records both ways, owned by her, in her mailbox", async () => {
  const { crm, outlook, owner } = await appOnlySides('alice@acme.test', 'alice');
  const store = await openMemoryStore({ crmUrl: w.crmUrl, crmUser: 'alice', mailbox: 'alice@acme.test' });
  const engine = new SyncEngine({ crm, outlook, store, settings: w.settings });
  await engine.syncNow();

  // The readers are alice's own delegated sides: what she sees in the pane.
  const outlookNames = (await w.list('outlook', 'contact')).map((i) => i.record.lastName).sort();
  const expected = [...OVERLAPPING_CONTACTS, ...OUTLOOK_ONLY_CONTACTS, ...CRM_ONLY_CONTACTS].map((c) => c.lastName).sort();
  expect(outlookNames).toEqual(expected);
  const crmNames = (await w.list('crm', 'contact')).map((i) => i.record.lastName).sort();
  expect(crmNames).toEqual(expected);
  // Contacts copied from Outlook belong to alice, not to the integration user that created them.
  const all = await w.crmApi('GET', '/api/contacts?page[size]=-1');
  const fromOutlook = all.body.data.filter((c: { attributes: { lastName: string } }) => OUTLOOK_ONLY_CONTACTS.some((o) => o.lastName === c.attributes.lastName));
  expect(fromOutlook.map((c: { relationships: { owner: { data: { id: string } } } }) => c.relationships.owner.data.id)).toEqual(OUTLOOK_ONLY_CONTACTS.map(() => String(owner.userId)));
  const events = await w.list('crm', 'event');
  const graphEvents = await w.list('outlook', 'event');
  expect(events.map((e) => e.record.title).sort()).toEqual(graphEvents.map((e) => e.record.title).sort());
  const tasks = await w.list('crm', 'task');
  expect(tasks.map((t) => t.record.subject).sort()).toEqual((await w.list('outlook', 'task')).map((t) => t.record.subject).sort());

  // An idle second sync writes nothing.
  for (const summary of await engine.syncNow()) {
    expect(summary.written).toEqual({ crm: { created: 0, updated: 0, deleted: 0 }, outlook: { created: 0, updated: 0, deleted: 0 } });
  }
});
