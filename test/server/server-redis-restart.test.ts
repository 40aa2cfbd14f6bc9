// Redis dies mid-run and comes back, while both emulators lose answers (issue 12 "Faults"): a worker's
// queue, its leases and the status live in Redis (AOF, fsync every second, so the last second may be
// gone), and a share of requests to Graph and the CRM run their write but lose the answer. Two workers,
// a first sync and an edit round: no duplicates, every edit in place, and the mailbox syncs again after.
import { OUTLOOK_ONLY_CONTACTS } from '../emulators/demo-data';
import { aliceSnapshot, EXPECTED_CONTACTS, inStep } from '../support/server-snapshot';
import { startServerWorld, type ServerWorld } from '../support/server-world';

jest.setTimeout(300_000);

let w: ServerWorld;
beforeAll(async () => {
  w = await startServerWorld({ processes: 2, users: ['alice'], graphLatencyMs: 100, intervalSeconds: 2, timing: { maxMailboxBackoffSeconds: 4 } });
});
afterAll(() => w?.close());

async function loseAnswers(rate: number): Promise<void> {
  // The write happens, the connection then drops without an answer (common/faults.ts lostResponseRate).
  for (const [url, extra] of [[w.graph.url, { latencyMs: 100 }], [w.crm.url, {}]] as const) {
    const res = await fetch(`${url.replace(/\/+$/, '')}/_control/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ lostResponseRate: rate, seed: 7, ...extra }) });
    expect(res.status).toBe(200);
  }
}

async function graphInFlight(): Promise<boolean> {
  const stats = (await (await fetch(`${w.graph.url.replace(/\/+$/, '')}/_control/stats`)).json()) as { inFlight: number; injected: { lostResponses: number } };
  return stats.inFlight > 0;
}

async function lostSoFar(): Promise<number> {
  let n = 0;
  for (const url of [w.graph.url, w.crm.url]) n += ((await (await fetch(`${url.replace(/\/+$/, '')}/_control/stats`)).json()) as { injected: { lostResponses: number } }).injected.lostResponses;
  return n;
}

test('Redis restarted mid-job twice while answers are lost: no duplicates, every edit in place', async () => {
  await w.graphApi('alice', 'GET', '/v1.0/me'); // the test's own token, before answers get lost
  await loseAnswers(0.08);
  await w.waitFor('a Graph request of a running job', graphInFlight, 60_000);
  await w.restartRedis();
  const first = await w.waitFor('the first sync in step after the restart', async () => {
    const s = await aliceSnapshot(w);
    return inStep(s) ? s : null;
  }, 150_000);

  // The test's own edits are not the faults under test: answers are lost only around them.
  await loseAnswers(0);
  const lee = first.crmContacts.find((c) => c.attributes.lastName === 'Lee')!;
  expect((await w.crmApi('alice', 'PATCH', `/api/contacts/${lee.id}`, { data: { type: 'contacts', id: lee.id, attributes: { jobTitle: 'Edited in OroCRM' } } })).status).toBe(200);
  const nair = first.outlookContacts.find((c) => c.surname === OUTLOOK_ONLY_CONTACTS[0].lastName)!;
  expect((await w.graphApi('alice', 'PATCH', `/v1.0/me/contacts/${nair.id}`, { jobTitle: 'Edited in Outlook' })).status).toBe(200);
  await loseAnswers(0.08);
  await w.waitFor('a Graph request of a running job', graphInFlight, 60_000);
  await w.restartRedis();

  const done = await w.waitFor('both edits on the other side', async () => {
    const s = await aliceSnapshot(w);
    const inOutlook = s.outlookContacts.find((c) => c.surname === 'Lee')?.jobTitle === 'Edited in OroCRM';
    const inCrm = s.crmContacts.find((c) => c.attributes.lastName === OUTLOOK_ONLY_CONTACTS[0].lastName)?.attributes.jobTitle === 'Edited in Outlook';
    return inOutlook && inCrm && inStep(s) ? s : null;
  }, 150_000);
  expect(done.outlookContacts).toHaveLength(EXPECTED_CONTACTS.length);
  expect(done.crmContacts).toHaveLength(EXPECTED_CONTACTS.length);
  expect(await lostSoFar()).toBeGreaterThan(0); // the faults did happen

  // Faults off: the server goes on syncing (its schedulers survived the restarts).
  await loseAnswers(0);
  const after = Date.now();
  await w.waitFor('an ok check after the faults', async () => {
    const s = (await w.statuses())['alice@acme.test'];
    return s?.state === 'ok' && Date.parse(s.lastCheck.crm ?? '') > after && Date.parse(s.lastCheck.outlook ?? '') > after;
  }, 60_000);
  expect(inStep(await aliceSnapshot(w))).toBe(true);
  // The outage is said once per client and outage, not on every reconnect attempt.
  expect(w.output()).toContain('[main] queue: Redis unreachable');
  expect(w.output().split('[main] queue: Redis unreachable').length - 1).toBeLessThanOrEqual(2);
});
