// The pane and the headless runner (`npm run sync`) on one mailbox at once: the runner syncs, the pane
// follows it (and its Sync now reaches the runner); when the runner stops the pane takes over, and a
// runner started while the pane holds the mailbox follows it and writes nothing. Nothing is duplicated.
import { join } from 'node:path';
import { GRAPH_URL_OVERRIDE_KEY } from '../../src/taskpane/dev-sync-connection';
import { BROWSER_SETUP_TIMEOUT_MS, usePaneWorld } from '../support/browser';
import { submitDevSignIn } from '../support/pane-page';
import { crmApiOf, crmContactNames, crmTaskSubjects, duplicatesIn, graphApiOf, outlookContactsOf, until } from '../support/alice-apis';
import { startRunner } from '../support/runner';
import { DEMO_PASSWORD_CLIENT } from '../emulators/demo-data';

const world = usePaneWorld('pane-and-runner-e2e');

const crmApi = () => crmApiOf(world.crm);
const outlookContacts = () => outlookContactsOf(graphApiOf(world.graph));
const runnerArgs = () => ['--crm', world.crm.url, '--graph', world.graph.url, '--user', 'alice', '--password', 'alice', '--client-id', DEMO_PASSWORD_CLIENT.id, '--client-secret', DEMO_PASSWORD_CLIENT.secret, '--state', join(world.dir, 'runner.sqlite'), '--device', 'the build box'];

test(
  'the pane follows a running `npm run sync`, takes over when it stops, and a runner started later follows the pane; no duplicates',
  async () => {
    const runner = startRunner(runnerArgs());
    try {
      await runner.waitFor('Outlook cycle');
      const crmContacts = await crmContactNames(crmApi());
      const inOutlook = (await outlookContacts()).map((c) => `${c.givenName} ${c.surname}`).sort();
      expect(duplicatesIn(crmContacts)).toEqual([]);
      expect(inOutlook.length).toBeGreaterThan(0);

      const { page, context, fence, errors } = await world.session.newPage();
      await context.addInitScript(([key, url]) => window.sessionStorage.setItem(key, url), [GRAPH_URL_OVERRIDE_KEY, world.graph.url] as const);
      await page.setViewportSize({ width: 420, height: 1100 });
      await page.goto(world.session.paneUrl);
      await submitDevSignIn(page, world.crm.url, 'alice');
      await page.getByText(/^Syncing in the build box since \d\d:\d\d · /).waitFor({ timeout: 60_000 });

      // Sync now in the pane asks the runner, which syncs the CRM edit to Outlook.
      const ann = ((await crmApi()('GET', '/api/contacts?page[size]=100')).data as Array<{ id: string; attributes: { firstName: string; lastName: string } }>).find(
        (c) => c.attributes.firstName === 'Ann' && c.attributes.lastName === 'Lee',
      )!;
      await crmApi()('PATCH', `/api/contacts/${ann.id}`, { data: { type: 'contacts', id: ann.id, attributes: { jobTitle: 'Asked from the pane' } } });
      const cyclesBefore = runner.stdout.split('OroCRM cycle').length;
      await page.getByRole('button', { name: 'Sync now' }).click();
      await until(async () => (await outlookContacts()).some((c) => c.jobTitle === 'Asked from the pane'), 'the edit in Outlook', 60_000);
      // The runner writes before it prints the cycle's summary line.
      await until(async () => runner.stdout.split('OroCRM cycle').length > cyclesBefore, 'the runner reporting that cycle', 30_000);

      // The runner stops (Ctrl-C): it releases the lease and the pane syncs from the shared state.
      runner.child.kill('SIGTERM');
      expect(await runner.done).toBe(0);
      await page.getByText('Idle; checks run on the intervals set below.').waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Sync now' }).click();
      await page.getByRole('button', { name: 'Sync now' }).waitFor();
      expect(await crmContactNames(crmApi())).toEqual(crmContacts);
      expect((await outlookContacts()).map((c) => `${c.givenName} ${c.surname}`).sort()).toEqual(inOutlook);

      // A runner started now follows the pane and writes nothing.
      const later = startRunner([...runnerArgs(), '--once']);
      expect(await later.done).toBe(0);
      expect(later.stdout).toMatch(/Following: Outlook \(Chrome\) syncs this mailbox \(since \d\d:\d\d UTC\)/);
      expect(later.stdout).not.toContain('cycle');
      expect(await crmContactNames(crmApi())).toEqual(crmContacts);
      expect(duplicatesIn(await crmTaskSubjects(crmApi()))).toEqual([]);

      expect(fence.blocked).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      if (runner.child.exitCode === null) runner.child.kill('SIGKILL');
    }
  },
  BROWSER_SETUP_TIMEOUT_MS,
);
