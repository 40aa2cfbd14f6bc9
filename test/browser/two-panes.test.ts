// Two panes on one mailbox: two browser contexts (think Outlook on the web in two browser profiles)
// signed in as alice at the same moment, against one CRM emulator (with the sync-lease extension) and
// one Graph emulator. Exactly one of them syncs; the other follows, shows the holder's status, asks it
// to sync now, and takes over when the holder's window is gone. Nothing is ever copied twice.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { GRAPH_URL_OVERRIDE_KEY } from '../../src/taskpane/dev-sync-connection';
import { BROWSER_SETUP_TIMEOUT_MS, usePaneWorld } from '../support/browser';
import { submitDevSignIn } from '../support/pane-page';
import { crmApiOf, crmContactNames, crmTaskSubjects, duplicatesIn, graphApiOf, outlookContactsOf, until } from '../support/alice-apis';

const world = usePaneWorld('two-panes-e2e');

const crmApi = () => crmApiOf(world.crm);
const outlookContacts = () => outlookContactsOf(graphApiOf(world.graph));

/** 'holder' once the pane syncs itself and its first checks are done; 'follower' once it shows another engine. */
async function roleOf(page: Page): Promise<'holder' | 'follower'> {
  const handle = await page.waitForFunction(
    () => {
      const text = document.body.textContent ?? '';
      if (/Syncing in .+ since \d\d:\d\d/.test(text)) return 'follower';
      if (!text.includes('Idle; checks run on the intervals set below.')) return null;
      const tables = [...document.querySelectorAll('table')];
      const checked = tables.length > 0 && tables.every((t) => ![...t.querySelectorAll('td')].some((td) => td.textContent === 'not yet'));
      return checked ? 'holder' : null;
    },
    undefined,
    { timeout: 90_000, polling: 250 },
  );
  return (await handle.jsonValue()) as 'holder' | 'follower';
}

async function openPane() {
  const opened = await world.session.newPage();
  await opened.context.addInitScript(([key, url]) => window.sessionStorage.setItem(key, url), [GRAPH_URL_OVERRIDE_KEY, world.graph.url] as const);
  await opened.page.setViewportSize({ width: 420, height: 1100 });
  await opened.page.goto(world.session.paneUrl);
  return opened;
}

test(
  'two panes signed in together: one syncs, the other follows and asks it to sync; when the holder closes the follower takes over; nothing is duplicated',
  async () => {
    const crmContactsBefore = await crmContactNames(crmApi());
    const a = await openPane();
    const b = await openPane();
    // Both sign in at the same moment, as two Outlook windows opening with the pane pinned.
    await Promise.all([submitDevSignIn(a.page, world.crm.url, 'alice'), submitDevSignIn(b.page, world.crm.url, 'alice')]);
    const roles = await Promise.all([roleOf(a.page), roleOf(b.page)]);
    expect([...roles].sort()).toEqual(['follower', 'holder']);
    const [holder, follower] = roles[0] === 'holder' ? [a, b] : [b, a];
    await holder.page.waitForFunction(() => !(document.body.textContent ?? '').includes('Checking '), undefined, { timeout: 60_000 });

    // One engine's result: the CRM gained the Outlook-only contacts once, Outlook holds one copy each.
    const crmContacts = await crmContactNames(crmApi());
    expect(duplicatesIn(crmContacts)).toEqual([]);
    expect(crmContacts.length).toBeGreaterThan(crmContactsBefore.length);
    const inOutlook = (await outlookContacts()).map((c) => `${c.givenName} ${c.surname}`).sort();
    expect(duplicatesIn(inOutlook)).toEqual([]);
    expect(inOutlook.length).toBeGreaterThan(0);
    expect(duplicatesIn(await crmTaskSubjects(crmApi()))).toEqual([]);

    // The follower says who syncs and shows the holder's counts.
    const followingBar = follower.page.getByText(/^Syncing in Outlook \(Chrome\) since \d\d:\d\d · /);
    await followingBar.waitFor();
    const createdCell = (page: Page) => page.getByRole('table', { name: 'Contacts' }).getByRole('row', { name: /^Created/ }).locator('td').nth(1).textContent();
    const holderCreated = await createdCell(holder.page);
    await until(async () => (await createdCell(follower.page)) === holderCreated, "the holder's counts in the follower", 90_000);

    // Sync now in the follower asks the holder: a CRM edit reaches Outlook without waiting for the interval.
    const ann = ((await crmApi()('GET', '/api/contacts?page[size]=100')).data as Array<{ id: string; attributes: { firstName: string; lastName: string } }>).find(
      (c) => c.attributes.firstName === 'Ann' && c.attributes.lastName === 'Lee',
    )!;
    await crmApi()('PATCH', `/api/contacts/${ann.id}`, { data: { type: 'contacts', id: ann.id, attributes: { jobTitle: 'Asked by the follower' } } });
    await follower.page.getByRole('button', { name: 'Sync now' }).click();
    await until(async () => (await outlookContacts()).some((c) => c.jobTitle === 'Asked by the follower'), 'the edit in Outlook', 60_000);

    // The holder's window goes away without a word (no sign-out): the follower takes over within one
    // lease period and syncs from the shared state, with no second copy of anything.
    await holder.context.close();
    await follower.page.getByText('Idle; checks run on the intervals set below.').waitFor({ timeout: 120_000 });
    await crmApi()('PATCH', `/api/contacts/${ann.id}`, { data: { type: 'contacts', id: ann.id, attributes: { jobTitle: 'After the handover' } } });
    await follower.page.getByRole('button', { name: 'Sync now' }).click();
    await until(async () => (await outlookContacts()).some((c) => c.jobTitle === 'After the handover'), 'the edit after the handover', 60_000);
    await follower.page.getByRole('button', { name: 'Sync now' }).waitFor();
    expect(await crmContactNames(crmApi())).toEqual(crmContacts);
    expect((await outlookContacts()).map((c) => `${c.givenName} ${c.surname}`).sort()).toEqual(inOutlook);
    expect(duplicatesIn(await crmTaskSubjects(crmApi()))).toEqual([]);

    expect(follower.fence.blocked).toEqual([]);
    expect(follower.errors).toEqual([]);
  },
  BROWSER_SETUP_TIMEOUT_MS,
);
