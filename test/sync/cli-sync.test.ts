// The headless runner as a black box: spawned with node + tsx against both emulators.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCrmEmulator, type CrmEmulator } from '../emulators/crm/server';
import { createGraphEmulator, type GraphEmulator } from '../emulators/graph/server';
import { startRunner as start } from '../support/runner';
import { DEMO_OAUTH_CLIENT_ID, DEMO_PASSWORD_CLIENT } from '../emulators/demo-data';
import { fullRound, buildSides, byName, duplicateStamps, writesIn } from '../support/world';

jest.setTimeout(90_000);


let dir: string;
let crm: CrmEmulator;
let graph: GraphEmulator;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-sync-'));
  crm = await createCrmEmulator({ dbFile: path.join(dir, 'crm.sqlite'), port: 0 });
  graph = await createGraphEmulator({ dbFile: path.join(dir, 'graph.sqlite'), port: 0 });
});
afterEach(async () => {
  await crm.close();
  await graph.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function runToEnd(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = start(args);
  const code = await run.done;
  return { code, stdout: run.stdout, stderr: run.stderr };
}

/** The emulator's demo password-grant application (confidential, as Oro requires). */
const RUNNER_APP = ['--client-id', DEMO_PASSWORD_CLIENT.id, '--client-secret', DEMO_PASSWORD_CLIENT.secret];

function argsFor(extra: string[] = [], password = 'alice', app = RUNNER_APP): string[] {
  return ['--crm', crm.url, '--graph', graph.url, '--user', 'alice', '--password', password, ...app, '--state', path.join(dir, 'state.sqlite'), ...extra];
}

async function control(url: string, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(`${url.replace(/\/+$/, '')}${p}`, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

async function bothSidesAgree(): Promise<void> {
  const sides = buildSides(crm.url.replace(/\/+$/, ''), graph.url.replace(/\/+$/, ''));
  for (const type of ['contact', 'task', 'event'] as const) {
    const outlook = await fullRound(sides.outlook, type);
    expect(duplicateStamps(outlook)).toEqual([]);
    const c = byName(type, await fullRound(sides.crm, type));
    const o = byName(type, outlook);
    expect(Object.keys(o).sort()).toEqual(Object.keys(c).sort());
    for (const name of Object.keys(c)) expect(o[name].crmId).toBe(c[name].id);
  }
}

test('--once syncs the demo data, prints one line per cycle and exits 0; a second run writes nothing', async () => {
  const first = await runToEnd(argsFor(['--once']));
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  // OroCRM ~2: the two overlapping events match, and Outlook's reminder (15 minutes, its default) fills
  // the CRM events' blank one (a first match fills blanks, docs/sync.md "Descriptions, reminders and location").
  expect(first.stdout).toMatch(/OroCRM cycle \(contact, task, event\): Outlook \+4 ~0 -0, OroCRM \+0 ~2 -0, 0 conflicts/);
  expect(first.stdout).toMatch(/Outlook cycle \(contact, task, event\): Outlook \+0 ~0 -0, OroCRM \+3 ~0 -0, 0 conflicts/);
  expect(first.stdout).toContain('with mailbox alice@acme.test');
  await bothSidesAgree();

  await control(crm.url, 'DELETE', '/_control/stats');
  await control(graph.url, 'DELETE', '/_control/stats');
  const second = await runToEnd(argsFor(['--once']));
  expect(second.code).toBe(0);
  expect(second.stdout.match(/Outlook \+0 ~0 -0, OroCRM \+0 ~0 -0/g)).toHaveLength(2);
  // Only sync bookkeeping is written: the lease (taken and released) and the shared state (the
  // delta checkpoints moved on). No data.
  const crmWrites = writesIn(await control(crm.url, 'GET', '/_control/stats'));
  expect(Object.keys(crmWrites).sort()).toEqual(['PATCH /api/outlooksynclease/:mailbox', 'PATCH /api/outlooksyncstate/:mailbox']);
  expect(writesIn(await control(graph.url, 'GET', '/_control/stats'))).toEqual({});
});

test('on a stock Oro (no MS Outlook settings in the CRM) it starts with Oro\'s defaults and the user\'s own values from the local settings file, and syncs', async () => {
  await crm.close();
  crm = await createCrmEmulator({ dbFile: path.join(dir, 'stock.sqlite'), port: 0, stockOro: true });
  const settingsFile = path.join(dir, 'alice.settings.json');
  fs.writeFileSync(settingsFile, JSON.stringify({ tasks_enabled: false, calendar_events_enabled: false }));
  const r = await runToEnd(argsFor(['--once', '--settings', settingsFile]));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('Settings: contacts; Both, OroCRMAlwaysWins; every 120 s (OroCRM) / 30 s (Outlook)');
  expect(r.stdout).toContain(`This OroCRM has no MS Outlook Settings (no outlooksettings extension): Oro's defaults apply, with your own values from ${settingsFile} (stored there, not in OroCRM).`);
  expect(r.stdout).toMatch(/OroCRM cycle \(contact\): Outlook \+\d+ ~0 -0/);
});

test('an Oro older than 6.1.10 / 7.0.2 (no contact externalId) is refused at connect with the version needed, before any write', async () => {
  await crm.close();
  crm = await createCrmEmulator({ dbFile: path.join(dir, 'old.sqlite'), port: 0, oroVersion: '6.1.9' });
  const r = await runToEnd(argsFor(['--once']));
  expect(r.code).toBe(1);
  expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: This OroCRM is too old to sync with: .*OroCRM 6\.1\.10 or later \(7\.0\.2 or later on the 7\.0 line\)/)]);
  expect(writesIn(await control(crm.url, 'GET', '/_control/stats'))).toEqual({});
  expect(writesIn(await control(graph.url, 'GET', '/_control/stats'))).toEqual({});
});

test.each([
  [['--crm', 'http://127.0.0.1:1', '--user', 'alice'], /--password is required|--graph is required/],
  [['--bogus'], /unknown flag --bogus/],
  [['--crm', 'not a url', '--graph', 'http://x', '--user', 'a', '--password', 'b', '--state', 's'], /--crm needs an http\(s\) URL/],
])('bad arguments %j print the usage and exit 2', async (args, message) => {
  const r = await runToEnd(args);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toContain('usage: npm run sync --');
  expect(r.stdout).toBe('');
});

test('--help prints the usage, says how to sign in to a real tenant (device code), and exits 0', async () => {
  const r = await runToEnd(['--help']);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain('--once');
  expect(r.stderr).toContain('For Microsoft 365: --graph https://graph.microsoft.com --device-code --graph-client-id <app id> --tenant <tenant>.');
});

test('a wrong password exits 1 with one clear line and leaves no state', async () => {
  const r = await runToEnd(argsFor(['--once'], 'wrong'));
  expect(r.code).toBe(1);
  expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: Sign-in to the CRM failed: .*credentials/)]);
  expect(fs.existsSync(path.join(dir, 'state.sqlite'))).toBe(false);
});

// Issue 11 #7: one grant per Oro application; the add-in's is authorization_code and public.
test.each([
  ['the add-in\'s public authorization_code application', ['--client-id', DEMO_OAUTH_CLIENT_ID, '--client-secret', 'anything']],
  ['the right application with a wrong secret', ['--client-id', DEMO_PASSWORD_CLIENT.id, '--client-secret', 'wrong']],
])('signing in with %s exits 1 naming the OAuth application, and leaves no state', async (_what, app) => {
  const r = await runToEnd(argsFor(['--once'], 'alice', app));
  expect(r.code).toBe(1);
  expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: Sign-in to the CRM failed: Client authentication failed \(Oro refused the OAuth application ".+": its client id or secret is wrong, or it was not created with the password grant\)$/)]);
  expect(fs.existsSync(path.join(dir, 'state.sqlite'))).toBe(false);
});

test('without --once it keeps syncing; SIGINT mid-cycle stops it cleanly and a later run finishes without duplicates', async () => {
  // Slow requests so that the signal arrives while the first cycle is running.
  await control(graph.url, 'POST', '/_control/faults', { latencyMs: 40, maxConcurrent: 4 });
  await control(crm.url, 'POST', '/_control/faults', { latencyMs: 40 });
  const run = start(argsFor());
  await run.waitFor('Settings:');
  await new Promise((r) => setTimeout(r, 300));
  run.child.kill('SIGINT');
  const code = await run.done;
  expect(run.stderr).toBe('');
  expect(code).toBe(0);
  expect(run.stdout).toContain('Stopping after the current write…');
  expect(run.stdout.trim().endsWith('Stopped.')).toBe(true);

  await control(graph.url, 'POST', '/_control/faults', {});
  await control(crm.url, 'POST', '/_control/faults', {});
  const after = await runToEnd(argsFor(['--once']));
  expect(after.code).toBe(0);
  await bothSidesAgree();
});

test('the loop runs a cycle of each side before it is stopped with SIGTERM', async () => {
  const run = start(argsFor());
  await run.waitFor('Outlook cycle');
  run.child.kill('SIGTERM');
  expect(await run.done).toBe(0);
  const crmLine = run.stdout.indexOf('OroCRM cycle');
  expect(crmLine).toBeGreaterThan(0);
  expect(crmLine).toBeLessThan(run.stdout.indexOf('Outlook cycle'));
  expect(run.stdout).toContain('Stopped.');
});

test('two runners on one mailbox with their own state: one syncs, the other follows, then takes over when it stops; no duplicates', async () => {
  const stateOf = (n: string) => ['--state', path.join(dir, `${n}.sqlite`)];
  const base = ['--crm', crm.url, '--graph', graph.url, '--user', 'alice', '--password', 'alice', ...RUNNER_APP];
  const first = start([...base, ...stateOf('a'), '--device', 'runner A']);
  await first.waitFor('Outlook cycle');
  const second = start([...base, ...stateOf('b'), '--device', 'runner B']);
  await second.waitFor('Following: runner A syncs this mailbox');
  expect(second.stdout).not.toContain('cycle');
  first.child.kill('SIGTERM');
  expect(await first.done).toBe(0);
  // A released lease is free at B's next look (a few seconds), not after a whole lease period.
  await second.waitFor('Holding the sync lease');
  await second.waitFor('Outlook cycle');
  second.child.kill('SIGTERM');
  expect(await second.done).toBe(0);
  await bothSidesAgree();
});
