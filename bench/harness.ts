// Bench harness: both emulators on temp files with injected latency, 10,000 extra CRM contacts for
// alice seeded straight into the CRM emulator's SQLite, sides over counting fetches, a SQLite store.
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CrmHttp } from '../src/crm/http';
import { CrmSide } from '../src/crm/side';
import { PasswordGrantTokens } from '../src/crm/tokens';
import { createOutlookSide, GraphPasswordTokens, OUTLOOK_REQUEST_BUDGET, RequestBudget, type OutlookSide } from '../src/outlook';
import { openSqliteStore } from '../src/store/sqlite-store';
import type { SyncStore } from '../src/store/types';
import type { EntityType } from '../src/sync/records';
import { createCrmEmulator } from '../test/emulators/crm/server';
import type { Stats } from '../test/emulators/common/faults';
import { DEMO_RUNNER_APP } from '../test/emulators/demo-data';

export const USER = 'alice';

/** Counts HTTP requests a side sends: in all, by entity type, and Graph writes ($batch with a write, or a direct write). */
export class RequestMeter {
  total = 0;
  writes = 0;
  byType: Record<EntityType | 'other', number> = { contact: 0, task: 0, event: 0, other: 0 };
  /** Sync bookkeeping on the CRM extension, by resource and method: "GET outlooksynclease", ... */
  bookkeeping: Record<string, number> = {};

  reset(): void {
    this.total = 0;
    this.writes = 0;
    this.byType = { contact: 0, task: 0, event: 0, other: 0 };
    this.bookkeeping = {};
  }

  fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? init.body : '';
    let described = `${method} ${input}`;
    let write = method !== 'GET';
    if (input.includes('$batch')) {
      // The sub-requests' methods and urls, read off the JSON text (a full JSON.parse of every batch
      // body would put the meter's own work into the times it measures).
      const subs = [...body.matchAll(/"method":"([A-Z]+)","url":"([^"]*)"/g)];
      write = subs.some((s) => s[1] !== 'GET');
      described = subs.map((s) => `${s[1]} ${s[2]}`).join(' ');
    }
    this.total++;
    if (write) this.writes++;
    const resource = /\/api\/(outlooksynclease|outlooksyncstate)\//.exec(input)?.[1];
    if (resource) this.bookkeeping[`${method} ${resource}`] = (this.bookkeeping[`${method} ${resource}`] ?? 0) + 1;
    else this.byType[classify(described)]++;
    return globalThis.fetch(input, init);
  };
}

function classify(text: string): EntityType | 'other' {
  if (/contactFolders|\/contacts|ContactBundle/i.test(text)) return 'contact';
  if (/\/todo\/|\/tasks|TaskBundle/i.test(text)) return 'task';
  if (/calendar|\/events/i.test(text)) return 'event';
  return 'other';
}

export interface Bench {
  crm: CrmSide;
  outlook: OutlookSide;
  crmMeter: RequestMeter;
  graphMeter: RequestMeter;
  store: SyncStore;
  /** Sides on their own meters, e.g. for a naive full listing. */
  freshSides(): { crm: CrmSide; outlook: OutlookSide; crmMeter: RequestMeter; graphMeter: RequestMeter; crmHttp: CrmHttp };
  faults(latencyMs: number): Promise<void>;
  graphStats(): Promise<Stats>;
  /** The Graph emulator's count of alice's requests against Outlook's 10-minute budget (`reset` forgets them first). */
  graphBudget(reset?: boolean): Promise<{ requests: number; windowSeconds: number; inWindow: number; peak: number }>;
  /** The budget every side of this bench takes from: they are one app on one mailbox. */
  clientBudget: RequestBudget;
  resetStats(): Promise<void>;
  crmApi(method: string, p: string, body?: unknown): Promise<number>;
  /** CPU seconds used so far by this process and each emulator process (emulators: Linux /proc only, else null). */
  cpuSeconds(): { engine: number; graph: number | null; crm: number | null };
  close(): Promise<void>;
}

/** User + system CPU seconds of a process, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / 100 : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Inserts `count` contacts owned by alice, copied from her seeded contact 3 with new names and times (one transaction). */
export function seedContacts(db: Database.Database, count: number): void {
  const model = db.prepare('SELECT owner_id, organization_id, created_at, updated_at, attrs FROM crm_contacts WHERE id = 3').get() as { owner_id: number; organization_id: number; created_at: string; updated_at: string; attrs: string };
  const attrs = JSON.parse(model.attrs) as Record<string, unknown>;
  const insert = db.prepare('INSERT INTO crm_contacts (owner_id, organization_id, external_id, created_at, updated_at, attrs) VALUES (?, ?, NULL, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const email = `bench${i}@example.test`;
      const a = { ...attrs, firstName: `Bench${i}`, lastName: `Contact${i % 97}`, jobTitle: 'Buyer', emails: [email], primaryEmail: email, phones: [], primaryPhone: null };
      // One second apart, as records made over time are: a bulk import sharing one second makes the CRM
      // side re-read that whole second on each poll until newer edits move its checkpoint past it.
      const at = new Date(Date.parse(model.updated_at) + (i + 1) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      insert.run(model.owner_id, model.organization_id, at, at, JSON.stringify(a));
    }
  })();
}

/**
 * The emulators run as their own processes, as the real services would: their CPU time then does not
 * stall the engine's event loop (on a 2-core machine they still share the CPU with it).
 */
export function startEmulator(script: string, dbFile: string): Promise<{ url: string; child: ChildProcess }> {
  const root = path.resolve(__dirname, '..');
  // BENCH_PROFILE_DIR: the emulators write V8 CPU profiles there (node --cpu-prof), to see their share.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(root, script), '--port', '0', '--db', dbFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1].replace(/\/+$/, ''), child });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`${script} exited (${code}): ${out}`)));
  });
}

export function stopEmulator(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startBench(extraContacts: number): Promise<Bench> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-bench-'));
  const crmDb = path.join(dir, 'crm.sqlite');
  // Create and seed the CRM database in-process, then hand the file to the emulator process.
  await (await createCrmEmulator({ dbFile: crmDb, port: 0 })).close();
  const db = new Database(crmDb);
  seedContacts(db, extraContacts);
  db.close();
  const crmProc = await startEmulator('test/emulators/crm/main.ts', crmDb);
  const graphProc = await startEmulator('test/emulators/graph/main.ts', path.join(dir, 'graph.sqlite')).catch(async (e: unknown) => {
    await stopEmulator(crmProc.child);
    throw e;
  });
  const crmUrl = crmProc.url;
  const graphUrl = graphProc.url;
  const clientBudget = new RequestBudget(OUTLOOK_REQUEST_BUDGET);
  const sides = () => {
    const crmMeter = new RequestMeter();
    const graphMeter = new RequestMeter();
    const crmHttp = new CrmHttp({ baseUrl: crmUrl, tokens: new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: crmUrl, username: USER, password: USER }), fetch: crmMeter.fetch as typeof fetch });
    const crm = new CrmSide({ http: crmHttp });
    const outlook = createOutlookSide({ tokens: new GraphPasswordTokens({ tokenUrl: `${graphUrl}/common/oauth2/v2.0/token`, username: USER, password: USER }), baseUrl: `${graphUrl}/v1.0`, fetch: graphMeter.fetch, requestBudget: clientBudget });
    return { crm, outlook, crmMeter, graphMeter, crmHttp };
  };
  const main = sides();
  const control = async (base: string, method: string, p: string, body?: unknown) => {
    const res = await fetch(`${base}${p}`, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  let crmToken: string | null = null;
  const store = await openSqliteStore(path.join(dir, 'state.sqlite'), { crmUrl, crmUser: USER, mailbox: 'alice@acme.test' });
  return {
    ...main,
    store,
    freshSides: sides,
    async faults(latencyMs) {
      await control(graphUrl, 'POST', '/_control/faults', { latencyMs, maxConcurrent: 4 });
      await control(crmUrl, 'POST', '/_control/faults', { latencyMs });
    },
    graphStats: async () => (await control(graphUrl, 'GET', '/_control/stats')) as Stats,
    clientBudget,
    async graphBudget(reset = false) {
      const body = (await control(graphUrl, reset ? 'POST' : 'GET', '/_control/graph/budget', reset ? { resetUsage: true } : undefined)) as {
        requests: number;
        windowSeconds: number;
        usage: Record<string, { inWindow: number; peak: number }>;
      };
      return { requests: body.requests, windowSeconds: body.windowSeconds, ...body.usage[`${USER}@acme.test`] };
    },
    async resetStats() {
      await control(graphUrl, 'DELETE', '/_control/stats');
      await control(crmUrl, 'DELETE', '/_control/stats');
      main.crmMeter.reset();
      main.graphMeter.reset();
    },
    async crmApi(method, p, body) {
      crmToken ??= await new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: crmUrl, username: USER, password: USER }).accessToken();
      const res = await fetch(`${crmUrl}${p}`, { method, headers: { Authorization: `Bearer ${crmToken}`, 'Content-Type': 'application/vnd.api+json', Accept: 'application/vnd.api+json' }, body: body ? JSON.stringify(body) : undefined });
      await res.arrayBuffer();
      return res.status;
    },
    cpuSeconds() {
      const own = process.cpuUsage();
      return { engine: (own.user + own.system) / 1e6, graph: processCpuSeconds(graphProc.child.pid), crm: processCpuSeconds(crmProc.child.pid) };
    },
    async close() {
      await store.close();
      await stopEmulator(crmProc.child);
      await stopEmulator(graphProc.child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The least wall time Outlook's two limits per app and mailbox allow for `n` requests of `latencyMs`
 * each: 4 at a time, and no more than `budget` in any `windowMs` (the (budget + k)-th starts no earlier
 * than one window after the k-th).
 */
export function minimumWallMs(n: number, latencyMs: number, budget: number, windowMs: number): number {
  const byConcurrency = Math.ceil(n / 4) * latencyMs;
  const fullWindows = Math.floor((n - 1) / budget);
  const rest = n - fullWindows * budget;
  return Math.max(byConcurrency, fullWindows * windowMs + Math.ceil(rest / 4) * latencyMs);
}
