// A pane open on a mailbox the server syncs (issue 12): the pane's engine host (LeasedSync with the
// pane's lease over alice's own sign-in) and the headless runner both follow the server: they never
// start their own sync loop, and they see "OroCRM Sync server" and the status it publishes.
import fs from 'node:fs';
import path from 'node:path';
import { CrmHttp } from '../../src/crm/http';
import { CrmLeaseBackend } from '../../src/crm/lease-client';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import { LeasedSync, type LeasedState } from '../../src/sync/lease-host';
import { SyncLease } from '../../src/sync/lease';
import { initialStatus } from '../../src/sync/status';
import { SERVER_DEVICE_LABEL } from '../../src/server/mailbox-sync';
import { startRunner } from '../support/runner';
import { startServerWorld, type ServerWorld } from '../support/server-world';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';

jest.setTimeout(240_000);

let w: ServerWorld;
beforeAll(async () => {
  w = await startServerWorld({ processes: 2, users: ['alice'], intervalSeconds: 2 });
});
afterAll(() => w?.close());

async function serverHoldsAlice(): Promise<boolean> {
  const lease = await w.crmApi('alice', 'GET', '/api/outlooksynclease/alice%40acme.test');
  return lease.status === 200 && lease.body.data.attributes.active && lease.body.data.attributes.deviceLabel === SERVER_DEVICE_LABEL;
}

test("a pane's engine host and the headless runner follow the server and never run their own sync", async () => {
  await w.waitFor('the server to hold alice’s lease after a first sync', async () => (await serverHoldsAlice()) && (await w.statuses())['alice@acme.test']?.lastCheck.outlook, 90_000);

  const http = new CrmHttp({ baseUrl: w.crm.url, tokens: new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: w.crm.url, username: 'alice', password: 'alice' }) });
  const lease = new SyncLease({ backend: new CrmLeaseBackend(http, 'alice@acme.test'), holderId: 'pane-tab-1', deviceLabel: 'Outlook on the web (Chrome)', ttlMs: 9000 });
  let loopStarts = 0;
  const states: LeasedState[] = [];
  const pane = new LeasedSync({
    lease,
    loop: { start: () => void loopStarts++, stop: async () => undefined, syncNow: async () => undefined },
    snapshot: async () => ({ status: initialStatus(), conflicts: [] }),
    followEveryMs: 300,
    onChange: (s) => states.push(s),
  });
  await pane.start();
  try {
    const follower = await w.waitFor('the pane to follow the server', async () => {
      const s = pane.current();
      return s.role === 'follower' && s.follower?.deviceLabel === SERVER_DEVICE_LABEL && s.follower.shared ? s.follower : null;
    });
    expect(follower.shared!.status.types.contact.linked).toBeGreaterThan(0);

    // More than a lease period of server jobs later, the pane still never took over.
    const watchedFrom = Date.now();
    await w.waitFor('server checks spanning more than one lease period', async () => {
      const s = (await w.statuses())['alice@acme.test'];
      return Date.parse(s.lastCheck.outlook!) > watchedFrom + 10_000 && pane.current().role === 'follower';
    }, 60_000);
    expect(loopStarts).toBe(0);
    expect(states.some((s) => s.role === 'holder')).toBe(false);
  } finally {
    await pane.stop();
  }

  // The headless runner on the same mailbox follows too, and writes nothing.
  const stateFile = path.join(w.dir, 'runner.sqlite');
  const run = startRunner(['--crm', w.crm.url, '--graph', w.graph.url, '--user', 'alice', '--password', 'alice', '--state', stateFile, '--once', '--client-id', DEMO_RUNNER_APP.clientId, '--client-secret', DEMO_RUNNER_APP.clientSecret]);
  expect(await run.done).toBe(0);
  expect(run.stdout).toContain(`Following: ${SERVER_DEVICE_LABEL} syncs this mailbox`);
  expect(fs.existsSync(stateFile)).toBe(true);
});
