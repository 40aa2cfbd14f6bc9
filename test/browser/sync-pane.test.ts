// The sync loop in the built pane: Chromium, signed in as alice through the dev form, syncing a real CRM
// emulator with a real Graph emulator (temp SQLite files). The pane finds the Graph emulator through the
// dev override in sessionStorage (the production build points at graph.microsoft.com).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { GRAPH_URL_OVERRIDE_KEY } from '../../src/taskpane/dev-sync-connection';
import { BROWSER_SETUP_TIMEOUT_MS, usePaneWorld } from '../support/browser';
import { submitDevSignIn } from '../support/pane-page';
import { crmApiOf, graphApiOf, outlookContactsOf } from '../support/alice-apis';

const world = usePaneWorld('sync-pane-e2e');

// ---- the services' own APIs, to check what the pane did ----

const crmApi = (method: string, path: string, body?: unknown) => crmApiOf(world.crm)(method, path, body);
const graphApi = (path: string, method = 'GET', body?: unknown) => graphApiOf(world.graph)(path, method, body);
const outlookContacts = () => outlookContactsOf(graphApiOf(world.graph));

// ---- the pane ----

const statusTable = (page: Page, name: string) => page.getByRole('table', { name });

async function cellText(page: Page, table: string, row: string, column: 0 | 1): Promise<string> {
  return (await statusTable(page, table).getByRole('row', { name: new RegExp(`^${row}`) }).locator('td').nth(column).textContent()) ?? '';
}

/** Waits until no check is running and both sides of every listed type have been checked at least once. */
async function waitForChecks(page: Page, types: string[]): Promise<void> {
  await page.waitForFunction(
    (names) => {
      if (document.body.textContent?.includes('Checking ')) return false;
      return names.every((name) => {
        const table = [...document.querySelectorAll('table')].find((t) => t.querySelector('caption')?.textContent === name);
        const row = table && [...table.querySelectorAll('tr')].find((r) => r.querySelector('th')?.textContent === 'Last check');
        return !!row && [...row.querySelectorAll('td')].every((td) => td.textContent !== 'not yet');
      });
    },
    types,
    { timeout: 60_000 },
  );
}

test(
  'after sign-in the first sync completes with counts; a CRM edit reaches the Graph emulator after Sync now and the status updates',
  async () => {
    const { page, context, fence, errors } = await world.session.newPage();
    await context.addInitScript(([key, url]) => window.sessionStorage.setItem(key, url), [GRAPH_URL_OVERRIDE_KEY, world.graph.url] as const);
    await page.setViewportSize({ width: 420, height: 1100 });
    await page.goto(world.session.paneUrl);

    await submitDevSignIn(page, world.crm.url, 'alice');
    await page.getByRole('heading', { name: 'Sync status' }).waitFor();

    // 1. The first sync (alice's settings: Both, every type on) completes, with counts.
    await waitForChecks(page, ['Contacts', 'Tasks', 'Calendar Events']);
    const createdInOutlook = Number(await cellText(page, 'Contacts', 'Created', 1));
    const createdInCrm = Number(await cellText(page, 'Contacts', 'Created', 0));
    expect(createdInOutlook).toBeGreaterThan(0);
    expect(createdInCrm).toBeGreaterThan(0);
    const crmContacts = (await crmApi('GET', '/api/contacts?page[size]=100')).data as Array<{ id: string; attributes: { firstName: string; lastName: string; jobTitle: string | null } }>;
    const ann = crmContacts.find((c) => c.attributes.firstName === 'Ann' && c.attributes.lastName === 'Lee');
    expect(ann).toBeDefined();
    const before = await outlookContacts();
    // Matched by key on the first sync: one Ann Lee in Outlook, not two.
    expect(before.filter((c) => c.givenName === 'Ann' && c.surname === 'Lee')).toHaveLength(1);
    await page.screenshot({ path: join(tmpdir(), 'sync-pane-first-sync.png'), fullPage: true });

    // 2. An edit through the CRM's API reaches Outlook after Sync now, and the status counts it.
    const updatedBefore = Number(await cellText(page, 'Contacts', 'Updated', 1));
    await crmApi('PATCH', `/api/contacts/${ann!.id}`, { data: { type: 'contacts', id: ann!.id, attributes: { lastName: 'Lee-Park', jobTitle: 'Chief Technology Officer' } } });
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('button', { name: 'Sync now' }).waitFor(); // back from "Syncing…"
    const after = await outlookContacts();
    expect(after.filter((c) => c.givenName === 'Ann').map((c) => [c.surname, c.jobTitle])).toEqual([['Lee-Park', 'Chief Technology Officer']]);
    expect(Number(await cellText(page, 'Contacts', 'Updated', 1))).toBe(updatedBefore + 1);
    // The Graph emulator's HTML view, which a person watches in `npm start`, shows it too.
    expect(await (await fetch(`${world.graph.url}/_view`)).text()).toContain('Ann Lee-Park');
    await page.getByText('No conflicts so far.').waitFor();

    // 3. The same field edited on both sides: OroCRM wins (alice's rule) and the conflict log says so.
    const annInOutlook = after.find((c) => c.givenName === 'Ann')!;
    await crmApi('PATCH', `/api/contacts/${ann!.id}`, { data: { type: 'contacts', id: ann!.id, attributes: { jobTitle: 'CEO' } } });
    await graphApi(`/contacts/${annInOutlook.id}`, 'PATCH', { jobTitle: 'Chief Executive' });
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('button', { name: 'Sync now' }).waitFor();
    const log = page.getByRole('list', { name: 'Conflict log' });
    await log.waitFor();
    expect(await log.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/^Ann Lee-Park \(contact\), .*Fields: job titleRule: OroCRM always wins \(OroCRM kept\)Outlook values replaced: job title "Chief Executive"$/),
    ]);
    expect((await outlookContacts()).find((c) => c.givenName === 'Ann')?.jobTitle).toBe('CEO');
    expect(Number(await cellText(page, 'Contacts', 'Conflicts', 0)) + Number(await cellText(page, 'Contacts', 'Conflicts', 1))).toBe(1);
    await page.screenshot({ path: join(tmpdir(), 'sync-pane-after-edit.png'), fullPage: true });

    // 4. Sign-out returns to the sign-in form (the runtime stops with the session).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();

    expect(fence.blocked).toEqual([]);
    expect(errors).toEqual([]);
  },
  BROWSER_SETUP_TIMEOUT_MS,
);
