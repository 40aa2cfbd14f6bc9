// The sync loop in the built pane: Chromium, signed in as alice through the dev form, syncing a real CRM
// emulator with a real Graph emulator (temp SQLite files). The pane finds the Graph emulator through the
// dev override in sessionStorage (the production build points at graph.microsoft.com).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { GRAPH_URL_OVERRIDE_KEY } from '../../src/taskpane/dev-sync-connection';
import { BROWSER_SETUP_TIMEOUT_MS, usePaneWorld } from '../support/browser';
import { submitDevSignIn } from '../support/pane-page';
import { crmApiOf, graphApiOf, outlookContactsOf } from '../support/alice-apis';
import { createCrmEmulator } from '../emulators/crm/server';

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
    const { page, context, fence, errors } = await world.session.newPage({ realCors: true });
    await context.addInitScript(([key, url]) => window.sessionStorage.setItem(key, url), [GRAPH_URL_OVERRIDE_KEY, world.graph.url] as const);
    await page.setViewportSize({ width: 420, height: 1100 });
    await page.goto(world.session.paneUrl);

    await submitDevSignIn(page, world.crm.url, 'alice');
    await page.getByRole('heading', { name: 'Sync status' }).waitFor();

    // 1. The first sync (alice's settings: Both, every type on) completes, with counts. Oro sends no CORS
    // headers on its legacy REST API, where calendar events live: the pane says so and leaves them out.
    await waitForChecks(page, ['Contacts', 'Tasks']);
    await page.getByText("Calendar events can't sync from this pane").waitFor();
    await page.getByText('Calendar Events: off (not synced)').waitFor();
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

    // 4. A contact deleted in the CRM leaves Outlook (alice: OroCRM always wins), though the audit log is
    // legacy REST too: the pane finds the deletion by comparing ids over the JSON:API.
    const bob = crmContacts.find((c) => c.attributes.firstName !== 'Ann' && before.some((o) => o.givenName === c.attributes.firstName && o.surname === c.attributes.lastName));
    expect(bob).toBeDefined();
    await crmApi('DELETE', `/api/contacts/${bob!.id}`);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('button', { name: 'Sync now' }).waitFor();
    expect((await outlookContacts()).filter((c) => c.givenName === bob!.attributes.firstName && c.surname === bob!.attributes.lastName)).toEqual([]);

    // 5. Sign-out returns to the sign-in form (the runtime stops with the session).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();

    expect(fence.blocked).toEqual([]);
    expect(errors).toEqual([]);
  },
  BROWSER_SETUP_TIMEOUT_MS,
);

test(
  "Oro's CORS with only the pane's origin configured (no X-Mode): the pane says what the administrator must allow, and syncs nothing",
  async () => {
    const strictDir = mkdtempSync(join(tmpdir(), 'sync-pane-strict-cors-'));
    const origin = world.session.server.url;
    const strict = await createCrmEmulator({ dbFile: join(strictDir, 'crm.sqlite'), port: 0, cors: { allowOrigins: [origin] }, oauthCors: { allowOrigins: [origin] } });
    try {
      const { page, context, fence, errors } = await world.session.newPage({ realCors: true });
      await context.addInitScript(([key, url]) => window.sessionStorage.setItem(key, url), [GRAPH_URL_OVERRIDE_KEY, world.graph.url] as const);
      await page.goto(world.session.paneUrl);
      await submitDevSignIn(page, strict.url, 'alice');
      await page.getByText(/Sync cannot run in this pane: this OroCRM.s CORS settings do not let the add-in send the X-Mode header/).waitFor();
      await page.getByText(/oro_api\.cors\.allow_headers/).first().waitFor();
      const stats = (await (await fetch(`${strict.url}/_control/stats`)).json()) as { byRoute: Record<string, number> };
      expect(Object.keys(stats.byRoute).filter((r) => /^(POST|PATCH|DELETE|PUT) \/api\/(contacts|tasks|rest)/.test(r))).toEqual([]);
      expect(fence.blocked).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await strict.close();
      rmSync(strictDir, { recursive: true, force: true });
    }
  },
  BROWSER_SETUP_TIMEOUT_MS,
);

test(
  "Oro's CORS allows X-Mode but not the lease's If-Match / If-None-Match, nor exposes ETag: the pane syncs and says the lease is this pane's alone, and what to add",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sync-pane-lease-cors-'));
    const origin = world.session.server.url;
    const crm = await createCrmEmulator({ dbFile: join(dir, 'crm.sqlite'), port: 0, cors: { allowOrigins: [origin], allowHeaders: ['X-Mode'] }, oauthCors: { allowOrigins: [origin] } });
    try {
      const { page, context, fence, errors } = await world.session.newPage({ realCors: true });
      await context.addInitScript(([key, url]) => window.sessionStorage.setItem(key, url), [GRAPH_URL_OVERRIDE_KEY, world.graph.url] as const);
      await page.goto(world.session.paneUrl);
      await submitDevSignIn(page, crm.url, 'alice');
      await page.getByText(/This pane can.t share the sync lease/).waitFor();
      await page.getByText(/add If-Match and If-None-Match to oro_api\.cors\.allow_headers and ETag to oro_api\.cors\.expose_headers/).waitFor();
      await waitForChecks(page, ['Contacts']);
      expect(fence.blocked).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await crm.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  BROWSER_SETUP_TIMEOUT_MS,
);
