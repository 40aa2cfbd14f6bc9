// In Chromium against a real CRM emulator: the pane reads the ETag across origins (CORS
// exposes it), sends it as If-Match, and when the settings changed elsewhere meanwhile it says so,
// stores nothing and shows the reloaded values.
import type { Page } from 'playwright-core';
import type { CrmEmulator } from '../emulators/crm/server';
import { api, startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';
import { BROWSER_SETUP_TIMEOUT_MS, startPaneSession, type PaneSession } from '../support/browser';
import { setChecked, submitDevSignIn } from '../support/pane-page';

const OUTLOOK_INTERVAL = 'Outlook Sync Interval (In Seconds)';

let testCrm: TestCrm;
let crm: CrmEmulator;
let pane: PaneSession;

beforeAll(async () => {
  pane = await startPaneSession();
  // Oro's CORS, configured for the pane's origin as docs/setup.md says.
  testCrm = await startTestCrm({ corsOrigins: [pane.server.url] });
  crm = testCrm.crm;
}, BROWSER_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await pane?.close();
  await testCrm?.dispose();
});

async function settingsAs(username: string, scope: 'user' | 'organization', patch?: Record<string, unknown>) {
  const res = await api(crm, patch ? 'PATCH' : 'GET', `/api/outlooksettings/${scope}`, {
    token: await tokenFor(crm, username),
    body: patch ? { data: { type: 'outlooksettings', id: scope, attributes: patch } } : undefined,
  });
  expect(res.status).toBe(200);
  return { etag: res.headers.get('etag'), attributes: (res.json as { data: { attributes: Record<string, { value: unknown }> } }).data.attributes };
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(pane.paneUrl);
  await submitDevSignIn(page, crm.url, username);
  await page.getByRole('button', { name: 'Save Settings' }).waitFor();
}

test(
  'a save after the organization changed the settings elsewhere: If-Match is sent, 412, nothing stored, the new values shown',
  async () => {
    const { page, fence, errors } = await pane.newPage();
    const ifMatch: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH' && request.url().includes('/api/outlooksettings/')) ifMatch.push(request.headers()['if-match']);
    });
    await signIn(page, 'alice');
    const loadedEtag = (await settingsAs('alice', 'user')).etag;

    // Elsewhere: the administrator changes the organization's Outlook interval.
    await settingsAs('admin', 'organization', { contacts_sync_interval_outlook: { value: 90 } });

    // Alice, still on the old values, overrides the Tasks box and saves.
    const box = page.getByRole('checkbox', { name: 'Use Organization: Tasks' });
    const tasks = page.getByRole('checkbox', { name: 'Tasks', exact: true });
    await setChecked(page, box, false);
    await setChecked(page, tasks, false);
    await page.getByRole('button', { name: 'Save Settings' }).click();

    await page.getByText(/changed elsewhere/).waitFor();
    expect(ifMatch).toEqual([loadedEtag]);
    const stored = await settingsAs('alice', 'user');
    expect(stored.attributes.tasks_enabled).toMatchObject({ value: true, useParentScope: true });
    await expect(page.getByRole('spinbutton', { name: OUTLOOK_INTERVAL }).inputValue()).resolves.toBe('90');
    expect(await page.getByRole('checkbox', { name: 'Use Organization: Tasks' }).isChecked()).toBe(true);

    // Saving again from the reloaded values works, with the new ETag.
    await setChecked(page, box, false);
    await setChecked(page, tasks, false);
    await page.getByRole('button', { name: 'Save Settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    expect(ifMatch).toEqual([loadedEtag, stored.etag]);
    expect((await settingsAs('alice', 'user')).attributes.tasks_enabled).toMatchObject({ value: false, useParentScope: false });

    expect(fence.blocked).toEqual([]);
    expect(errors).toEqual([]);
  },
  BROWSER_SETUP_TIMEOUT_MS,
);
