// `npm run sync -- --device-code` (issue 12): the runner signs in to Graph with the identity platform's
// device code flow, as against a real Microsoft 365 tenant: it prints Microsoft's message (page + code),
// polls at the given interval while a person signs in on the emulator's verification page, then syncs;
// a declined sign-in ends it with exit 1 and the reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCrmEmulator, type CrmEmulator } from '../emulators/crm/server';
import { createGraphEmulator, type GraphEmulator } from '../emulators/graph/server';
import { startRunner } from '../support/runner';
import { DEMO_PASSWORD_CLIENT } from '../emulators/demo-data';

jest.setTimeout(90_000);

let dir: string;
let crm: CrmEmulator;
let graph: GraphEmulator;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-device-code-'));
  crm = await createCrmEmulator({ dbFile: path.join(dir, 'crm.sqlite'), port: 0 });
  graph = await createGraphEmulator({ dbFile: path.join(dir, 'graph.sqlite'), port: 0, deviceCodeIntervalSeconds: 1 });
});
afterAll(async () => {
  await crm.close();
  await graph.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const args = (state: string) => ['--crm', crm.url, '--graph', graph.url, '--user', 'alice', '--password', 'alice', '--client-id', DEMO_PASSWORD_CLIENT.id, '--client-secret', DEMO_PASSWORD_CLIENT.secret, '--state', path.join(dir, state), '--once', '--device-code', '--graph-client-id', 'outlook-sync-runner', '--tenant', 'acme.test'];

/** What the person does on the other device: open the page, enter the code, sign in (or cancel). */
async function onVerificationPage(stdout: string, decision: 'approve' | 'decline'): Promise<void> {
  const m = /open the page (\S+) and enter the code (\S+) to authenticate/.exec(stdout);
  if (!m) throw new Error(`no device-code message in:\n${stdout}`);
  const res = await fetch(m[1], { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user_code: m[2], username: 'alice', password: 'alice', decision }) });
  expect(res.status).toBe(200);
}

test('--device-code prints the page and the code, waits for the sign-in there, then syncs alice’s mailbox', async () => {
  const run = startRunner(args('approved.sqlite'));
  await run.waitFor('enter the code');
  expect(run.stdout).toContain(`To sign in, use a web browser to open the page ${graph.url.replace(/\/+$/, '')}/devicelogin and enter the code`);
  await onVerificationPage(run.stdout, 'approve');
  expect(await run.done).toBe(0);
  expect(run.stdout).toContain('with mailbox alice@acme.test');
  const graphStats = (await (await fetch(`${graph.url.replace(/\/+$/, '')}/_control/stats`)).json()) as { routes: Record<string, Record<string, number>> };
  // It asked for a code at the tenant given, and polled the tenant's token endpoint.
  expect(JSON.stringify(graphStats)).toContain('/:tenant/oauth2/v2.0/devicecode');
});

test('a declined sign-in ends the runner with exit 1 and says why', async () => {
  const run = startRunner(args('declined.sqlite'));
  await run.waitFor('enter the code');
  await onVerificationPage(run.stdout, 'decline');
  expect(await run.done).toBe(1);
  expect(run.stderr).toContain('Graph sign-in with a device code failed: the sign-in was declined on the verification page.');
});
