// What browser tests do on the built pane's screens, by the labels a user sees.
import type { Locator, Page } from 'playwright-core';

/** Fills the dev sign-in form and submits it; the emulators' demo users have their name as password. */
export async function submitDevSignIn(page: Page, crmUrl: string, username: string): Promise<void> {
  await page.getByRole('textbox', { name: 'CRM URL' }).fill(crmUrl);
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByLabel('Password').fill(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Toggles a check box the keyboard way (focus, Space): Fluent draws its label over the input, as users see it. */
export async function setChecked(page: Page, box: Locator, checked: boolean): Promise<void> {
  if ((await box.isChecked()) === checked) return;
  await box.focus();
  await page.keyboard.press('Space');
  expect(await box.isChecked()).toBe(checked);
}
