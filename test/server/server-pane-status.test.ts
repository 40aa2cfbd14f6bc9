// A pane open on a mailbox the sync server syncs (issue 12): the pane's own runtime (defaultSyncParts over
// alice's sign-in) detects the server as the lease's holder and shows "Synced by the OroCRM Sync server"
// with the status the server publishes (both sides' last checks whichever worker ran them, the queue's
// next checks, counts); its Sync now asks the server, which answers within a lease renewal rather than
// at its next check (intervals here are 10 minutes); when the server stops, the pane takes over.
import { PasswordGrantTokens } from '../../src/crm/tokens';
import { DEFAULT_SETTINGS } from '../../src/settings/options';
import { openMemoryStore, MemoryShelf } from '../../src/store/memory-store';
import { createSyncRuntime, defaultSyncParts, type SyncConnection, type SyncRuntime, type SyncView } from '../../src/taskpane/sync-runtime';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';
import { startServerWorld, type ServerWorld } from '../support/server-world';

jest.setTimeout(240_000);

const ALICE = 'alice@acme.test';
let w: ServerWorld;
beforeAll(async () => {
  w = await startServerWorld({ processes: 2, users: ['alice'], intervalSeconds: 600 });
});
afterAll(() => w?.close());

function alicePane(): SyncRuntime {
  const graphToken = async () => {
    const res = await fetch(`${w.graph.url.replace(/\/+$/, '')}/common/oauth2/v2.0/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice', scope: 'https://graph.microsoft.com/.default' }) });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const connection: SyncConnection = {
    identity: { crmUrl: w.crm.url, crmUser: 'alice', mailbox: ALICE },
    crm: { baseUrl: w.crm.url, tokens: new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: w.crm.url, username: 'alice', password: 'alice' }) },
    graph: { baseUrl: `${w.graph.url.replace(/\/+$/, '')}/v1.0`, tokens: { accessToken: graphToken, refresh: graphToken } },
  };
  const shelf = new MemoryShelf();
  const parts = { ...defaultSyncParts(connection, { deviceLabel: 'Outlook on the web (Chrome)' }), openStore: (id: SyncConnection['identity']) => openMemoryStore(id, { shelf }), browserReach: async () => null };
  return createSyncRuntime(connection, parts);
}

test('the pane shows the server’s status instead of running its own engine, asks it to sync, and takes over when it stops', async () => {
  await w.waitFor('the server’s first sync of alice', async () => (await w.statuses())[ALICE]?.lastCheck.outlook && (await w.statuses())[ALICE]?.lastCheck.crm, 90_000);
  const pane = alicePane();
  const phases: string[] = [];
  pane.subscribe((v) => phases.push(v.phase));
  pane.settingsLoaded({ ...DEFAULT_SETTINGS });
  try {
    const following = await w.waitFor('the pane to follow the server', async () => {
      const v = pane.view();
      return v.phase === 'following' && v.follower?.byServer && v.status.types.contact.crm.lastCheck && v.status.types.contact.outlook.lastCheck ? v : null;
    });
    // Both sides' checks and the queue's next ones, though two workers share the jobs.
    const contact = following.status.types.contact;
    expect(Date.parse(contact.crm.nextCheck!)).toBeGreaterThan(Date.now());
    expect(Date.parse(contact.outlook.nextCheck!)).toBeGreaterThan(Date.now());
    expect(contact.linked).toBeGreaterThan(0);

    // Sync now asks the server (syncRequested on the lease); it checks both sides within seconds.
    const asked = Date.now();
    await pane.syncNow();
    const answered = await w.waitFor('the server to answer the pane’s Sync now', async () => {
      const v: SyncView = pane.view();
      const c = v.status.types.contact;
      return v.phase === 'following' && Date.parse(c.crm.lastCheck!) > asked && Date.parse(c.outlook.lastCheck!) > asked ? v : null;
    }, 40_000);
    expect(answered.follower?.byServer).toBe(true);
    expect(phases).not.toContain('running');

    // The server stops renewing: the pane takes over and syncs itself.
    await w.server.close();
    await w.waitFor('the pane to take over from the stopped server', async () => pane.view().phase === 'running', 60_000);
  } finally {
    await pane.stop();
  }
});
