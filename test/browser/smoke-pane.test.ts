// The production build loads in Chromium with the office.js stand-in, renders, raises no page error and
// never reaches outside the machine; the manifest it ships passes the production checks against its files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkManifest, builtFiles } from '../../scripts/manifest-check';
import { resolveAddinConfig } from '../../scripts/addin-config';
import { BROWSER_SETUP_TIMEOUT_MS, startPaneSession, type PaneSession } from '../support/browser';

let session: PaneSession;

beforeAll(async () => {
  session = await startPaneSession();
}, BROWSER_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await session?.close();
});

describe('the built pane in Chromium', () => {
  it('loads standalone: office.js comes from the stand-in, the pane renders, nothing leaves localhost', async () => {
    const { page, fence, errors } = await session.newPage();
    await page.goto(session.paneUrl);
    await expect(page.title()).resolves.toBe('OroCRM Sync');
    await page.locator('#container > *').first().waitFor();
    expect(fence.officeJsServed).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { Office: { isStub?: boolean } }).Office.isStub)).toBe(true);
    expect(fence.blocked).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('loads as if inside Outlook when the stand-in is told so, without page errors', async () => {
    const { page, fence, errors } = await session.newPage({ outlook: {} });
    await page.goto(session.paneUrl);
    const host = await page.evaluate(() => (window as unknown as { Office: typeof Office }).Office.onReady().then((i) => i.host));
    expect(host).toBe('Outlook');
    await page.locator('#container > *').first().waitFor();
    expect(fence.blocked).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a request to any other host is blocked and recorded', async () => {
    const { page, fence } = await session.newPage();
    await page.goto(session.paneUrl);
    // A host the pages' CSP allows (Graph), so the request reaches the fence instead of stopping at the CSP.
    const outcome = await page.evaluate(() => fetch('https://graph.microsoft.com/ping').then(() => 'reached', () => 'failed'));
    expect(outcome).toBe('failed');
    expect(fence.blocked).toEqual(['https://graph.microsoft.com/ping']);
  });

  it('serves the commands page (FunctionFile) with office.js in its head', async () => {
    const { page, fence, errors } = await session.newPage();
    await page.goto(`${session.server.url}/commands.html`);
    expect(fence.officeJsServed).toBe(1);
    expect(errors).toEqual([]);
  });
});

describe('the production build output', () => {
  it('loads office.js from Microsoft\'s CDN in <head>, before the bundle', () => {
    const html = readFileSync(join(session.build.dir, 'taskpane.html'), 'utf8');
    const head = html.slice(0, html.indexOf('</head>'));
    const office = head.indexOf('https://appsforoffice.microsoft.com/lib/1/hosted/office.js');
    expect(office).toBeGreaterThan(-1);
    expect(head.indexOf('<script defer')).toBeGreaterThan(office);
  });

  it('ships a manifest whose URLs are https on ADDIN_URL and resolve to files of this build', () => {
    const config = resolveAddinConfig('production', {});
    const xml = readFileSync(join(session.build.dir, 'manifest.xml'), 'utf8');
    expect(checkManifest(xml, { production: true, baseUrl: config.addinUrl, files: builtFiles(session.build.dir) })).toEqual([]);
    expect(xml).not.toMatch(/localhost/);
  });
});
