// Browser-test plumbing: build the pane once per source state, serve it on 127.0.0.1:0, launch Debian's
// Chromium through playwright-core, answer the office.js CDN URL with a local stand-in, and block every
// request that would leave the machine.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureChromium } from './chromium';
import { createCrmEmulator, type CrmEmulator } from '../emulators/crm/server';
import { createGraphEmulator, type GraphEmulator } from '../emulators/graph/server';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const OFFICE_JS_URL = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';
const OFFICE_STUB = join(__dirname, 'office-stub.js');
/** A beforeAll timeout that covers a first-time `apt-get install chromium` and a cold webpack build. */
export const BROWSER_SETUP_TIMEOUT_MS = 15 * 60 * 1000;

// ---------- Chromium ----------

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await ensureChromium(),
    headless: true,
    // Every host but this machine fails to resolve: the fence holds even where nothing intercepts (realCors).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    ],
  });
}

// ---------- building the pane once ----------

// Everything that changes what webpack emits; src/ wholesale because the pane imports across it.
const BUILD_INPUTS = ['webpack.config.js', 'scripts/addin-config.js', 'scripts/addin-csp.js', 'manifest.xml', 'tsconfig.json', 'package-lock.json', 'assets', 'src'];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** A hash of the build inputs: same sources, same build, so parallel test files and reruns share one. */
export function buildKey(mode: 'production' | 'development'): string {
  const hash = createHash('sha256').update(mode);
  for (const file of BUILD_INPUTS.flatMap((p) => filesUnder(join(REPO_ROOT, p)))) {
    hash.update(relative(REPO_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function runWebpack(mode: string, outDir: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const cli = require.resolve('webpack-cli/bin/cli.js', { paths: [REPO_ROOT] });
    const child = spawn(process.execPath, [cli, '--mode', mode], {
      cwd: REPO_ROOT,
      // The default production ADDIN_URL etc.; only the output folder differs from `npm run build`.
      // The production CSP stays on; only the emulators (127.0.0.1, any port) are added to connect-src.
      env: { ...process.env, ADDIN_OUT_DIR: outDir, ADDIN_CSP_EXTRA: 'http://127.0.0.1:* http://localhost:*' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`webpack --mode ${mode} failed (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
}

export interface BuiltPane {
  /** Folder holding taskpane.html, commands.html, assets/ and manifest.xml. */
  dir: string;
  mode: 'production' | 'development';
}

/**
 * Runs webpack into a temp folder unless an identical build exists. Jest runs test files in parallel
 * workers, so a lock directory (mkdir is atomic) lets one worker build while the others wait for it.
 */
export async function buildPaneOnce(mode: 'production' | 'development' = 'production'): Promise<BuiltPane> {
  const root = join(tmpdir(), 'orocrm-outlook-pane-builds');
  mkdirSync(root, { recursive: true });
  const key = buildKey(mode);
  const dir = join(root, key);
  const done = `${dir}.done`;
  const lock = `${dir}.lock`;
  const staleAfterMs = 10 * 60 * 1000;
  for (;;) {
    if (existsSync(done)) return { dir, mode };
    try {
      mkdirSync(lock);
    } catch {
      // Another worker is building; take over only if it died long ago.
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleAfterMs) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* the lock vanished meanwhile: loop and look again */
      }
      await sleep(250);
      continue;
    }
    try {
      if (existsSync(done)) return { dir, mode };
      removeOldBuilds(root, key);
      await runWebpack(mode, dir);
      writeFileSync(done, new Date().toISOString());
      return { dir, mode };
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** Builds of earlier source states, unused for an hour (a run still serving one is long finished). */
function removeOldBuilds(root: string, keep: string): void {
  const hourAgo = Date.now() - 60 * 60 * 1000;
  for (const name of readdirSync(root)) {
    if (name.startsWith(keep) || name.endsWith('.lock')) continue;
    const path = join(root, name);
    try {
      if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      /* another run removed it */
    }
  }
}

// ---------- serving it ----------

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.xml': 'application/xml; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticServer {
  /** e.g. http://127.0.0.1:43123 (no trailing slash). */
  url: string;
  /** Paths requested so far, in order (e.g. "/taskpane.html"). */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1 with an ephemeral port. GET/HEAD only; nothing outside `dir`. */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const base = resolve(dir);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = resolve(base, `.${path === '/' ? '/taskpane.html' : path}`);
    const inside = file === base || file.startsWith(base + sep);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !inside || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('static server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// ---------- office.js stand-in and the network fence ----------

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface NetworkFence {
  /** Every request that would have left the machine; the browser was told it failed. */
  blocked: string[];
  /** How many times the office.js stand-in was served. */
  officeJsServed: number;
}

/**
 * Answers the office.js CDN URL with test/support/office-stub.js and aborts every other request to a
 * non-local host, recording it. Apply to a context to cover all of its pages.
 */
export async function routeOfficeJs(target: Page | BrowserContext): Promise<NetworkFence> {
  const fence: NetworkFence = { blocked: [], officeJsServed: 0 };
  const stub = readFileSync(OFFICE_STUB, 'utf8');
  await target.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === OFFICE_JS_URL) {
      fence.officeJsServed++;
      await route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: stub });
      return;
    }
    const { protocol, hostname } = new URL(url);
    if ((protocol === 'http:' || protocol === 'https:' || protocol === 'ws:' || protocol === 'wss:') && !LOCAL_HOSTS.has(hostname)) {
      fence.blocked.push(url);
      await route.abort('blockedbyclient');
      return;
    }
    await route.continue();
  });
  return fence;
}

/** Records requests that would leave the machine (the resolver rules fail them); office.js is expected to. */
function watchOutgoing(context: BrowserContext): NetworkFence {
  const fence: NetworkFence = { blocked: [], officeJsServed: 0 };
  context.on('request', (request) => {
    const url = request.url();
    const { protocol, hostname } = new URL(url);
    if (url !== OFFICE_JS_URL && (protocol === 'http:' || protocol === 'https:' || protocol === 'ws:' || protocol === 'wss:') && !LOCAL_HOSTS.has(hostname)) fence.blocked.push(url);
  });
  return fence;
}

export interface OutlookSimulation {
  /** Merged over the stand-in's default Office.context (see office-stub.js). */
  context?: Record<string, unknown>;
  platform?: string;
}

/** Makes the stand-in behave as if the pane runs inside Outlook. Call before page.goto. */
export async function simulateOutlook(target: Page | BrowserContext, simulation: OutlookSimulation = {}): Promise<void> {
  await target.addInitScript((s: OutlookSimulation) => {
    const w = window as unknown as Record<string, unknown>;
    w.__officeStubHost = 'Outlook';
    if (s.platform) w.__officeStubPlatform = s.platform;
    if (s.context) w.__officeStubContext = s.context;
  }, simulation);
}

// ---------- one call for a test ----------

export interface PaneSession {
  browser: Browser;
  server: StaticServer;
  build: BuiltPane;
  /** http://127.0.0.1:<port>/taskpane.html */
  paneUrl: string;
  /**
   * A fresh context with the fence and stand-in in place, and its page (not yet navigated). `realCors`:
   * no request interception at all, because Playwright answers every intercepted CORS preflight itself
   * and allows whatever it asks (playwright-core crNetworkManager; microsoft/playwright#27339). The page
   * then gets no office.js (a plain browser tab, dev sign-in), and the fence only records: the browser's
   * host-resolver rules keep every request on this machine.
   */
  newPage(options?: { outlook?: OutlookSimulation; realCors?: boolean }): Promise<{ page: Page; context: BrowserContext; fence: NetworkFence; errors: string[] }>;
  close(): Promise<void>;
}

/** Builds (once), serves and launches; use in beforeAll with BROWSER_SETUP_TIMEOUT_MS, close in afterAll. */
export async function startPaneSession(): Promise<PaneSession> {
  const build = await buildPaneOnce();
  const server = await serveStatic(build.dir);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.close();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  return {
    browser,
    server,
    build,
    paneUrl: `${server.url}/taskpane.html`,
    async newPage(options = {}) {
      const context = await browser.newContext();
      contexts.push(context);
      if (options.realCors && options.outlook) throw new Error('realCors pages get no office.js, so they cannot simulate Outlook');
      const fence = options.realCors ? watchOutgoing(context) : await routeOfficeJs(context);
      if (options.outlook) await simulateOutlook(context, options.outlook);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      return { page, context, fence, errors };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await server.close();
    },
  };
}

// ---------- a test file's whole world: both emulators on fresh demo data and the pane ----------

export interface PaneWorld {
  dir: string;
  crm: CrmEmulator;
  graph: GraphEmulator;
  session: PaneSession;
}

/** Registers beforeAll/afterAll that start and stop both emulators (temp SQLite files) and a pane session. */
export function usePaneWorld(name: string): PaneWorld {
  const world = {} as PaneWorld;
  beforeAll(async () => {
    world.dir = mkdtempSync(join(tmpdir(), `${name}-`));
    world.graph = await createGraphEmulator({ dbFile: join(world.dir, 'graph.sqlite'), port: 0 });
    world.session = await startPaneSession();
    // Oro's CORS, configured for the pane's origin as docs/setup.md says.
    world.crm = await createCrmEmulator({ dbFile: join(world.dir, 'crm.sqlite'), port: 0, corsOrigins: [world.session.server.url] });
  }, BROWSER_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await world.session?.close();
    await world.crm?.close();
    await world.graph?.close();
    if (world.dir) rmSync(world.dir, { recursive: true, force: true });
  });
  return world;
}
