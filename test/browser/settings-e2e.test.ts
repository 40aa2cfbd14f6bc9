// The settings slice end to end: the built pane in Chromium, signed in through the dev form, saving
// into a real CRM emulator on a temp SQLite file. What the pane shows is checked against the emulator's API.
import type { Page } from 'playwright-core';
import type { CrmEmulator } from '../emulators/crm/server';
import { api, startTestCrm, tokenFor, type TestCrm } from '../emulators/crm/testing';
import { BROWSER_SETUP_TIMEOUT_MS, startPaneSession, type PaneSession } from '../support/browser';
import { setChecked, submitDevSignIn } from '../support/pane-page';

const OUTLOOK_INTERVAL = 'Outlook Sync Interval (In Seconds)';

interface WireSetting {
  value: unknown;
  useParentScope: boolean;
  parentValue: unknown;
  parentScope: string;
}

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

/** Alice's Outlook interval as the emulator's own API reports it. */
async function storedOutlookInterval(): Promise<WireSetting> {
  const res = await api(crm, 'GET', '/api/outlooksettings/user', { token: await tokenFor(crm, 'alice') });
  expect(res.status).toBe(200);
  return (res.json as { data: { attributes: Record<string, WireSetting> } }).data.attributes.contacts_sync_interval_outlook;
}

const intervalField = (page: Page) => page.getByRole('spinbutton', { name: OUTLOOK_INTERVAL });
const useOrganizationBox = (page: Page) => page.getByRole('checkbox', { name: `Use Organization: ${OUTLOOK_INTERVAL}` });
const saveButton = (page: Page) => page.getByRole('button', { name: 'Save Settings' });

test(
  'alice overrides the Outlook interval, keeps it across a reload, cannot save 0, and returns to the organization value',
  async () => {
    const before = await storedOutlookInterval();
    expect(before.useParentScope).toBe(true);
    const organizationValue = before.parentValue;
    expect(organizationValue).not.toBe(45);

    const { page, fence, errors } = await pane.newPage();
    await page.goto(pane.paneUrl);

    // 1. Sign in as alice through the dev sign-in form.
    await submitDevSignIn(page, crm.url, 'alice');
    await page.getByRole('heading', { name: 'MS Outlook Settings' }).waitFor();
    await expect(intervalField(page).inputValue()).resolves.toBe(String(organizationValue));
    expect(await intervalField(page).isDisabled()).toBe(true);
    expect(await saveButton(page).isDisabled()).toBe(true);

    // 2. Clear "Use Organization" on the Outlook interval: editable, starting from the inherited value.
    await setChecked(page, useOrganizationBox(page), false);
    expect(await intervalField(page).isEnabled()).toBe(true);
    await expect(intervalField(page).inputValue()).resolves.toBe(String(organizationValue));

    // 3. Set it to 45 and save.
    await intervalField(page).fill('45');
    await saveButton(page).click();
    await page.getByText('Settings saved.').waitFor();
    await expect(storedOutlookInterval()).resolves.toMatchObject({ value: 45, useParentScope: false, parentValue: organizationValue });

    // 4. Reload: 45 is there (the standalone dev session keeps its access token in sessionStorage).
    await page.reload();
    await page.getByRole('heading', { name: 'MS Outlook Settings' }).waitFor();
    await saveButton(page).waitFor();
    await expect(intervalField(page).inputValue()).resolves.toBe('45');
    expect(await useOrganizationBox(page).isChecked()).toBe(false);

    // 5. Set 0: an error under the field, and nothing saved.
    await intervalField(page).fill('0');
    await page.getByText(`${OUTLOOK_INTERVAL}: this value should be between 1 and 86399.`).waitFor();
    expect(await intervalField(page).getAttribute('aria-invalid')).toBe('true');
    await saveButton(page).click();
    await page.getByText(/Correct the highlighted fields/).waitFor();
    await expect(storedOutlookInterval()).resolves.toMatchObject({ value: 45, useParentScope: false });

    // 6. Check "Use Organization" again and save: the organization value is back, in the pane and in the CRM.
    await setChecked(page, useOrganizationBox(page), true);
    await expect(intervalField(page).inputValue()).resolves.toBe(String(organizationValue));
    expect(await intervalField(page).isDisabled()).toBe(true);
    await saveButton(page).click();
    await page.getByText('Settings saved.').waitFor();
    await expect(storedOutlookInterval()).resolves.toMatchObject({ value: organizationValue, useParentScope: true });
    await expect(intervalField(page).inputValue()).resolves.toBe(String(organizationValue));

    expect(fence.officeJsServed).toBeGreaterThan(0);
    expect(fence.blocked).toEqual([]);
    expect(errors).toEqual([]);
  },
  BROWSER_SETUP_TIMEOUT_MS,
);

test(
  'against a stock Oro (no MS Outlook settings anywhere) the pane shows Oro\'s defaults, saves the user\'s own value outside the CRM, and says so',
  async () => {
    const stock = await startTestCrm({ stockOro: true, corsOrigins: [pane.server.url] });
    try {
      const { page, fence, errors } = await pane.newPage();
      await page.goto(pane.paneUrl);
      await submitDevSignIn(page, stock.crm.url, 'bob');

      await page.getByText(/not in OroCRM/).first().waitFor();
      await expect(intervalField(page).inputValue()).resolves.toBe('30');
      const useDefault = page.getByRole('checkbox', { name: `Use Default: ${OUTLOOK_INTERVAL}` });
      await setChecked(page, useDefault, false);
      await intervalField(page).fill('45');
      await saveButton(page).click();
      await page.getByText('Settings saved.').waitFor();
      await expect(intervalField(page).inputValue()).resolves.toBe('45');
      // Nothing went to the CRM: a stock Oro has nowhere to keep it.
      const token = await tokenFor(stock.crm, 'bob');
      expect((await api(stock.crm, 'GET', '/api/outlooksettings/user', { token })).status).toBe(404);
      expect(fence.blocked).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await stock.dispose();
    }
  },
  BROWSER_SETUP_TIMEOUT_MS,
);
