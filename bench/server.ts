// `npm run bench -- server --mailboxes 100,1000`: the sync server (issue 12 "Performance") on both
// emulators: N mailboxes × 50 CRM contacts each, 2 worker processes on one PostgreSQL and one Redis,
// 150 ms injected latency on both services, Graph's limits per mailbox (4 at a time, 10,000 per 10
// minutes). Measures the first sync's wall time against the least Graph's per-mailbox rules allow with
// every mailbox in parallel, the idle cycle's requests per mailbox, and Redis's memory per mailbox.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { parseConfig } from '../src/server/config';
import { startLocalPostgres } from '../src/server/postgres';
import { startLocalRedis } from '../src/server/redis';
import { startServer } from '../src/server/server';
import type { MailboxStatus } from '../src/server/status';
import type { Stats } from '../test/emulators/common/faults';
import { createCrmEmulator } from '../test/emulators/crm/server';
import { DEMO_GRAPH_APP, DEMO_SERVER_OAUTH_CLIENT, DEMO_TENANT } from '../test/emulators/demo-data';
import { createContactFolder } from '../test/emulators/graph/contacts';
import { createCalendar } from '../test/emulators/graph/events';
import { seedIfEmpty } from '../test/emulators/graph/seed';
import { GraphStore } from '../test/emulators/graph/store';
import { createTodoList } from '../test/emulators/graph/tasks';
import { newGuid } from '../test/emulators/graph/util';
import { minimumWallMs, processCpuSeconds, startEmulator, stopEmulator } from './harness';

export interface ServerBenchOptions {
  mailboxes: number;
  contactsPerMailbox: number;
  latencyMs: number;
  processes: number;
  /** Jobs each worker runs at once. */
  concurrency: number;
  /** How long the settled server is watched for the idle figures (the CRM side checks every 120 s). */
  idleWindowMs: number;
  /** The first sync gives up after this long. */
  timeoutMs: number;
  log: (line: string) => void;
}

const username = (i: number) => `bench${String(i).padStart(5, '0')}`;
const mailboxOf = (i: number) => `${username(i)}@acme.test`;

/** N CRM users in Acme, each owning `perUser` contacts copied from the seeded contact 3 (one transaction). */
function seedCrmUsers(file: string, n: number, perUser: number): void {
  const db = new Database(file);
  try {
    const org = (db.prepare("SELECT id FROM organizations WHERE name = 'Acme'").get() as { id: number }).id;
    const model = db.prepare('SELECT created_at, updated_at, attrs FROM crm_contacts WHERE id = 3').get() as { updated_at: string; attrs: string };
    const attrs = JSON.parse(model.attrs) as Record<string, unknown>;
    const addUser = db.prepare("INSERT INTO users (username, password_salt, password_hash, organization_id, is_admin, first_name, last_name, email) VALUES (?, 'x', 'x', ?, 0, ?, 'Bench', ?)");
    const addContact = db.prepare('INSERT INTO crm_contacts (owner_id, organization_id, external_id, created_at, updated_at, attrs) VALUES (?, ?, NULL, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const owner = Number(addUser.run(username(i), org, `User${i}`, mailboxOf(i)).lastInsertRowid);
        for (let j = 0; j < perUser; j++) {
          const email = `c${j}.${username(i)}@example.test`;
          const a = { ...attrs, firstName: `Bench${j}`, lastName: `Contact${i}-${j}`, jobTitle: 'Buyer', emails: [email], primaryEmail: email, phones: [], primaryPhone: null };
          // One second apart, as records made over time are (see harness.ts seedContacts).
          const at = new Date(Date.parse(model.updated_at) + (j + 1) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
          addContact.run(owner, org, at, at, JSON.stringify(a));
        }
      }
    })();
  } finally {
    db.close();
  }
}

/** The same N users in the Graph tenant, each with the default folders a new mailbox has. */
function seedGraphMailboxes(file: string, n: number): void {
  const store = new GraphStore(file);
  try {
    const now = new Date();
    seedIfEmpty(store, now);
    store.transaction(() => {
      for (let i = 0; i < n; i++) {
        const user = { id: newGuid(), username: username(i), upn: mailboxOf(i), password: username(i), displayName: `User${i} Bench` };
        store.addUser(user);
        createContactFolder(store, user.id, 'Contacts', null);
        createCalendar(store, user);
        createTodoList(store, user.id, 'Tasks', 'defaultList');
      }
    });
  } finally {
    store.close();
  }
}

async function control(base: string, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(`${base}${p}`, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const NOT_OUTLOOK = ['POST /v1.0/$batch', 'POST /common/oauth2/v2.0/token', 'BATCH (failed dependency)'];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function typeOfRoute(route: string): 'contact' | 'task' | 'event' | 'audit' | 'bookkeeping' | 'other' {
  if (/outlooksynclease|outlooksyncstate|outlooksettings|outlooksyncusers|oauth2|\/token/.test(route)) return 'bookkeeping';
  if (/audit/i.test(route)) return 'audit';
  if (/contactFolders|contacts/i.test(route)) return 'contact';
  if (/\/todo\/|tasks/i.test(route)) return 'task';
  if (/calendar|events/i.test(route)) return 'event';
  return 'other';
}

function byType(stats: Stats, skip: string[] = []): Record<string, number> {
  const out: Record<string, number> = { contact: 0, task: 0, event: 0, audit: 0, bookkeeping: 0, other: 0 };
  for (const [route, n] of Object.entries(stats.byRoute)) if (!skip.includes(route)) out[typeOfRoute(route)] += n;
  return out;
}

/** INFO memory's used_memory, in bytes. */
async function redisUsedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

export async function benchServer(opts: ServerBenchOptions) {
  const { mailboxes: n, log } = opts;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-bench-server-'));
  const workerLog = fs.createWriteStream(path.join(dir, 'workers.log'));
  const cleanups: Array<() => Promise<unknown>> = [];
  let finished = false;
  try {
    log(`… seeding ${n} CRM users × ${opts.contactsPerMailbox} contacts and ${n} Graph mailboxes`);
    const crmDb = path.join(dir, 'crm.sqlite');
    await (await createCrmEmulator({ dbFile: crmDb, port: 0 })).close();
    seedCrmUsers(crmDb, n, opts.contactsPerMailbox);
    const graphDb = path.join(dir, 'graph.sqlite');
    seedGraphMailboxes(graphDb, n);
    const crm = await startEmulator('test/emulators/crm/main.ts', crmDb);
    cleanups.push(() => stopEmulator(crm.child));
    const graph = await startEmulator('test/emulators/graph/main.ts', graphDb);
    cleanups.push(() => stopEmulator(graph.child));
    await control(graph.url, 'POST', '/_control/faults', { latencyMs: opts.latencyMs, maxConcurrent: 4 });
    await control(crm.url, 'POST', '/_control/faults', { latencyMs: opts.latencyMs });
    const redisServer = await startLocalRedis({ dir: path.join(dir, 'redis') });
    cleanups.push(() => redisServer.stop());
    const postgres = await startLocalPostgres();
    cleanups.push(() => postgres.stop());
    const redis = new Redis(redisServer.url);
    cleanups.unshift(async () => redis.disconnect()); // before its server stops

    const raw = {
      crm: { url: crm.url, clientId: DEMO_SERVER_OAUTH_CLIENT.clientId, clientSecret: DEMO_SERVER_OAUTH_CLIENT.secret },
      microsoft365: { tenant: DEMO_TENANT.id, clientId: DEMO_GRAPH_APP.clientId, clientSecret: DEMO_GRAPH_APP.secret, authority: graph.url, graphUrl: `${graph.url}/v1.0` },
      users: Array.from({ length: n }, (_, i) => ({ crmUser: username(i), mailbox: mailboxOf(i) })),
      stateDir: path.join(dir, 'state'),
      store: { kind: 'postgres', url: postgres.url },
      workers: { processes: opts.processes, concurrency: opts.concurrency },
      status: { host: '127.0.0.1', port: 0 },
    };
    const configFile = path.join(dir, 'server.json');
    fs.writeFileSync(configFile, JSON.stringify(raw, null, 2));
    const config = parseConfig(raw, dir);
    const redisBefore = await redisUsedMemory(redis);

    const emulatorCpu = () => ({ crm: processCpuSeconds(crm.child.pid) ?? 0, graph: processCpuSeconds(graph.child.pid) ?? 0 });
    const cpu0 = emulatorCpu();
    const t0 = performance.now();
    const load0 = os.loadavg()[0];
    const server = await startServer({ config, configFile, redisUrl: redisServer.url, processes: opts.processes, log: (l) => workerLog.write(`[main] ${l}\n`), workerOutput: (id, text) => workerLog.write(text.replace(/^/gm, `[${id}] `)) });
    cleanups.unshift(() => server.close());
    const workersCpu = () => sum([...server.workers.values()].map((w) => processCpuSeconds(w.pid) ?? 0));
    const statuses = async (): Promise<Record<string, MailboxStatus>> => ((await control(server.statusUrl.replace(/\/$/, ''), 'GET', '/status.json')) as { mailboxes: Record<string, MailboxStatus> }).mailboxes;

    // First sync: every mailbox has its contacts created in Outlook and linked (the CRM job's end); settled:
    // then an Outlook check that saw our creates come back (it waits for the Outlook interval, 30 s).
    const linkedAt = new Map<string, number>();
    let lastReport = 0;
    let firstSyncMs = 0;
    let linkedMs = 0;
    for (;;) {
      const all = await statuses();
      const now = Date.now();
      let done = 0;
      for (let i = 0; i < n; i++) {
        const s = all[mailboxOf(i)];
        if (!s) continue;
        if ((s.linked.contact ?? 0) >= opts.contactsPerMailbox && !linkedAt.has(mailboxOf(i))) linkedAt.set(mailboxOf(i), now);
        const since = linkedAt.get(mailboxOf(i));
        if (since !== undefined && s.lastCheck.outlook && Date.parse(s.lastCheck.outlook) >= since - 1000) done++;
      }
      if (linkedAt.size === n && !linkedMs) linkedMs = performance.now() - t0;
      if (done === n) {
        firstSyncMs = performance.now() - t0;
        break;
      }
      if (performance.now() - t0 > opts.timeoutMs) throw new Error(`first sync of ${n} mailboxes not done after ${opts.timeoutMs / 1000} s (${done} done); worker log: ${path.join(dir, 'workers.log')}`);
      if (now - lastReport > 15_000) {
        log(`  ${Math.round((performance.now() - t0) / 1000)} s: ${linkedAt.size}/${n} mailboxes linked, ${done}/${n} done`);
        lastReport = now;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const cpu1 = emulatorCpu();
    const workerCpuFirst = workersCpu();
    const graphStats = (await control(graph.url, 'GET', '/_control/stats')) as Stats;
    const crmStats = (await control(crm.url, 'GET', '/_control/stats')) as Stats;
    const budget = (await control(graph.url, 'GET', '/_control/graph/budget')) as { requests: number; windowSeconds: number; usage: Record<string, { inWindow: number; peak: number }> };
    const perMailbox = Array.from({ length: n }, (_, i) => budget.usage[mailboxOf(i)]?.peak ?? 0);
    const maxPerMailbox = Math.max(...perMailbox);
    const minMs = minimumWallMs(maxPerMailbox, opts.latencyMs, budget.requests, budget.windowSeconds * 1000);
    const outlookRequests = sum(Object.entries(graphStats.byRoute).filter(([r]) => !NOT_OUTLOOK.includes(r)).map(([, c]) => c));
    const firstSync = {
      /** Until every mailbox's contacts are in Outlook and linked (status polled every second). */
      wallMs: Math.round(linkedMs),
      /** Until every mailbox also had its next Outlook check (the echo of our creates), at most one Outlook interval later. */
      settledMs: Math.round(firstSyncMs),
      /** The least Graph's rules allow: every mailbox in parallel, each 4 at a time and 10,000 per 10 minutes; the busiest mailbox decides. */
      minimumMs: Math.round(minMs),
      timeRatio: round(linkedMs / minMs, 1),
      outlookRequestsPerMailbox: { max: maxPerMailbox, mean: round(sum(perMailbox) / n, 1) },
      outlookRequests,
      graph429: graphStats.byStatus['429'] ?? 0,
      graphMaxInFlight: graphStats.maxInFlight,
      crmRequests: crmStats.requests,
      crmRequestsPerMailbox: round(crmStats.requests / n, 1),
      mailboxesPerMinute: round(n / (linkedMs / 60_000), 1),
      cpuSeconds: { workers: round(workerCpuFirst, 1), crmEmulator: round(cpu1.crm - cpu0.crm, 1), graphEmulator: round(cpu1.graph - cpu0.graph, 1) },
      machine: { cores: os.cpus().length, loadAverage1mAtStart: round(load0, 2) },
    };
    log(`  first sync: ${(linkedMs / 1000).toFixed(1)} s, settled ${(firstSyncMs / 1000).toFixed(1)} s (least Graph allows: ${(minMs / 1000).toFixed(1)} s)`);

    // Idle: from here every check finds nothing new (the echo was absorbed); count what a window of them costs.
    log(`… idle for ${opts.idleWindowMs / 1000} s`);
    const before = await statuses();
    await control(graph.url, 'DELETE', '/_control/stats');
    await control(crm.url, 'DELETE', '/_control/stats');
    const idleCpu0 = { workers: workersCpu(), ...emulatorCpu() };
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, opts.idleWindowMs));
    const windowMin = (performance.now() - w0) / 60_000;
    const after = await statuses();
    const idleCpu1 = { workers: workersCpu(), ...emulatorCpu() };
    const idleGraph = (await control(graph.url, 'GET', '/_control/stats')) as Stats;
    const idleCrm = (await control(crm.url, 'GET', '/_control/stats')) as Stats;
    const checks = { crm: 0, outlook: 0 };
    for (let i = 0; i < n; i++) for (const side of ['crm', 'outlook'] as const) checks[side] += after[mailboxOf(i)].checks[side] - before[mailboxOf(i)].checks[side];
    const graphTypes = byType(idleGraph, NOT_OUTLOOK);
    const crmTypes = byType(idleCrm);
    const perCheck = (count: number, side: 'crm' | 'outlook') => (checks[side] ? round(count / checks[side], 2) : null);
    const bookkeepingRoutes = Object.fromEntries(
      Object.entries(idleCrm.byRoute)
        .filter(([r]) => typeOfRoute(r) === 'bookkeeping')
        .map(([r, c]) => [r, round(c / n / windowMin, 2)]),
    );
    const idleCycle = {
      windowSeconds: Math.round(windowMin * 60),
      checks,
      /** Data requests per check, by type: CRM requests per CRM check, Outlook requests per Outlook check. */
      crmCheck: { contact: perCheck(crmTypes.contact, 'crm'), task: perCheck(crmTypes.task, 'crm'), event: perCheck(crmTypes.event, 'crm'), auditShared: perCheck(crmTypes.audit, 'crm') },
      outlookCheck: { contact: perCheck(graphTypes.contact, 'outlook'), task: perCheck(graphTypes.task, 'outlook'), event: perCheck(graphTypes.event, 'outlook') },
      crossSide: { graphOther: graphTypes.other, crmOther: crmTypes.other },
      /** The server's own CRM requests per mailbox per minute (lease renewals, settings read by each job, shared state). */
      bookkeepingPerMailboxPerMinute: bookkeepingRoutes,
      requestsPerMailboxPerMinute: round((idleCrm.requests + sum(Object.entries(idleGraph.byRoute).filter(([r]) => r !== 'POST /v1.0/$batch').map(([, c]) => c))) / n / windowMin, 2),
      cpuSecondsPerMailboxPerMinute: {
        workers: round((idleCpu1.workers - idleCpu0.workers) / n / windowMin, 4),
        crmEmulator: round((idleCpu1.crm - idleCpu0.crm) / n / windowMin, 4),
        graphEmulator: round((idleCpu1.graph - idleCpu0.graph) / n / windowMin, 4),
      },
    };
    const redisAfter = await redisUsedMemory(redis);
    const redisKeys = await redis.dbsize();
    const redisMemory = { usedBytesBefore: redisBefore, usedBytesAfter: redisAfter, bytesPerMailbox: Math.round((redisAfter - redisBefore) / n), keys: redisKeys, keysPerMailbox: round(redisKeys / n, 1) };
    const failing = Object.values(after).filter((s) => s.state === 'failing').length;
    finished = true;
    return { mailboxes: n, contactsPerMailbox: opts.contactsPerMailbox, processes: opts.processes, concurrency: opts.concurrency, latencyMs: opts.latencyMs, store: 'postgres', firstSync, idleCycle, redisMemory, failingMailboxes: failing };
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
    workerLog.end();
    if (finished && !process.env.BENCH_KEEP_DIR) fs.rmSync(dir, { recursive: true, force: true });
    else log(`  kept ${dir} (workers.log: the server's output)`);
  }
}

export type ServerBenchRun = Awaited<ReturnType<typeof benchServer>>;
