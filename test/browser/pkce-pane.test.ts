// The built pane as if inside Outlook: the connect screen, a real sign-in window opened through the
// office.js stand-in's displayDialogAsync, Oro's login on the emulator, "connected as", Disconnect.
import type { BrowserContext, Page } from 'playwright-core';
import { TestClock } from '../emulators/crm/testing';
import { startPkceCrm, type PkceCrm } from '../http/crm-pkce-harness';
import { BROWSER_SETUP_TIMEOUT_MS, startPaneSession, type PaneSession } from '../support/browser';

let pane: PaneSession;
let crm: PkceCrm;

beforeAll(async () => {
  pane = await startPaneSession();
}, BROWSER_SETUP_TIMEOUT_MS);
afterAll(async () => {
  await pane?.close();
});
beforeEach(async () => {
  crm = await startPkceCrm({ now: new TestClock(Date.now()).now, corsOrigins: [pane.server.url] });
});
afterEach(async () => {
  await crm.close();
});

async function openPane(): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
  const { page, context, fence, errors } = await pane.newPage({ outlook: {} });
  await page.goto(pane.paneUrl);
  await page.getByRole('heading', { name: 'Connect to OroCRM' }).waitFor();
  expect(fence.blocked).toEqual([]);
  return { page, context, errors };
}

/** Clicks Connect and returns the sign-in window once Oro's login form shows in it. */
async function connect(page: Page, context: BrowserContext): Promise<Page> {
  await page.getByRole('textbox', { name: /CRM address/ }).fill(crm.url);
  const popup = context.waitForEvent('page');
  await page.getByRole('button', { name: 'Connect' }).click();
  const dialog = await popup;
  await dialog.getByRole('heading', { name: 'Login' }).waitFor();
  return dialog;
}

const stored = (page: Page) =>
  page.evaluate(() => ({
    roaming: (window as unknown as { Office: typeof Office }).Office.context.roamingSettings.get('orocrm.crmUrl') as unknown,
    localKeys: Object.keys(window.localStorage),
  }));

test('connect, sign in through the dialog, see the CRM and user; Disconnect forgets it all', async () => {
  const { page, context, errors } = await openPane();
  const dialog = await connect(page, context);
  await dialog.getByLabel('Username').fill('alice');
  await dialog.getByLabel('Password').fill('alice');
  await dialog.getByRole('button', { name: 'Log in' }).click();

  await page.getByText(`Connected to ${crm.url}`).waitFor();
  await page.getByText('Alice Archer').waitFor();
  // The pane closed the dialog after the message.
  if (!dialog.isClosed()) await dialog.waitForEvent('close');
  // Pinned pane: selecting another message, then nothing, changes nothing here.
  await page.evaluate(() => {
    const w = window as unknown as { __officeStubSelectItem(item: unknown): void };
    w.__officeStubSelectItem({ itemId: 'AAMk-2', itemType: 'message', subject: 'Next' });
    w.__officeStubSelectItem(null);
  });
  await page.getByText(`Connected to ${crm.url}`).waitFor();
  const after = await stored(page);
  expect(after.roaming).toBe(crm.url);
  expect(after.localKeys).toEqual([`stub-partition:orocrm-outlook.crm-tokens:${crm.url}`]);

  await page.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('heading', { name: 'Connect to OroCRM' }).waitFor();
  const gone = await stored(page);
  expect(gone.roaming).toBeUndefined();
  expect(gone.localKeys).toEqual([]);
  expect(errors).toEqual([]);
});

test('closing the sign-in window shows why and a Sign-in button; no new window opens by itself', async () => {
  const { page, context, errors } = await openPane();
  let windows = 0;
  context.on('page', () => windows++);
  const dialog = await connect(page, context);
  await dialog.close();
  await page.getByText(/sign-in window was closed/).waitFor();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  expect(windows).toBe(1);
  expect(errors).toEqual([]);
});

test('denying access in the CRM shows its own message', async () => {
  const { page, context } = await openPane();
  const dialog = await connect(page, context);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByText(/Access was not granted/).waitFor();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
});
