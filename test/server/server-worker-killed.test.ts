// A worker process killed (SIGKILL) in the middle of a job and started again (issue 12 "Faults"): its
// journal is in the shared state, the next holder's recovery finishes or abandons each write it had
// sent, and the mailbox ends with no duplicates and every edit in place.
import { OUTLOOK_ONLY_CONTACTS } from '../emulators/demo-data';
import { aliceSnapshot as snapshotOf, EXPECTED_CONTACTS as expectedContacts, inStep } from '../support/server-snapshot';
import { startServerWorld, type ServerWorld } from '../support/server-world';

jest.setTimeout(300_000);

let w: ServerWorld;
beforeAll(async () => {
  // Slow Graph answers keep a job in flight long enough to be killed inside it.
  w = await startServerWorld({ processes: 1, users: ['alice'], graphLatencyMs: 150, intervalSeconds: 2 });
});
afterAll(() => w?.close());

async function graphInFlight(): Promise<boolean> {
  const stats = (await (await fetch(`${w.graph.url}/_control/stats`)).json()) as { inFlight: number };
  return stats.inFlight > 0;
}

/** SIGKILLs the worker while one of its Graph requests is in flight; the server starts it again. */
async function killWorkerMidJob(): Promise<void> {
  const before = w.server.workers.get('worker-1')!;
  await w.waitFor('a Graph request of a running job', graphInFlight, 60_000);
  before.kill('SIGKILL');
  await w.waitFor('the worker started again', async () => w.server.workers.get('worker-1') !== before && w.output().split('worker worker-1 ready').length > 2, 60_000);
}

test('killed mid first sync and mid an edit round: no duplicates, every edit in place', async () => {
  await killWorkerMidJob();
  const first = await w.waitFor('the first sync to finish after the kill', async () => {
    const s = await snapshotOf(w);
    return inStep(s) ? s : null;
  }, 120_000);

  // One edit on each side, then another kill while a job runs.
  const lee = first.crmContacts.find((c) => c.attributes.lastName === 'Lee')!;
  expect((await w.crmApi('alice', 'PATCH', `/api/contacts/${lee.id}`, { data: { type: 'contacts', id: lee.id, attributes: { jobTitle: 'Edited in OroCRM' } } })).status).toBe(200);
  const nairInOutlook = first.outlookContacts.find((c) => c.surname === OUTLOOK_ONLY_CONTACTS[0].lastName)!;
  expect((await w.graphApi('alice', 'PATCH', `/v1.0/me/contacts/${nairInOutlook.id}`, { jobTitle: 'Edited in Outlook' })).status).toBe(200);
  await killWorkerMidJob();

  const done = await w.waitFor('both edits on the other side', async () => {
    const s = await snapshotOf(w);
    const inOutlook = s.outlookContacts.find((c) => c.surname === 'Lee')?.jobTitle === 'Edited in OroCRM';
    const inCrm = s.crmContacts.find((c) => c.attributes.lastName === OUTLOOK_ONLY_CONTACTS[0].lastName)?.attributes.jobTitle === 'Edited in Outlook';
    return inOutlook && inCrm && inStep(s) ? s : null;
  }, 120_000);
  expect(done.outlookContacts).toHaveLength(expectedContacts.length);
  expect(done.crmContacts).toHaveLength(expectedContacts.length);
  const status = (await w.statuses())["alice@acme.test"];
  expect(status.failures).toBe(0);
});
