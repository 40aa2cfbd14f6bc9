// The sync server over both emulators, for test/server: the emulators in this process on temp SQLite
// files, a redis-server of our own (found, or installed as root on Debian, like Chromium for the
// browser tests; never skipped), a config file, and the server with its worker processes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, type ServerConfig } from '../../src/server/config';
import { startLocalPostgres, type LocalPostgres } from '../../src/server/postgres';
import { startLocalRedis, type LocalRedis } from '../../src/server/redis';
import { startServer, type RunningServer } from '../../src/server/server';
import type { MailboxStatus } from '../../src/server/status';
import { DEMO_GRAPH_APP, DEMO_SERVER_OAUTH_CLIENT, DEMO_TENANT } from '../emulators/demo-data';
import { createCrmEmulator, tokenFor, type CrmEmulator } from '../emulators/crm/server';
import { createGraphEmulator, type GraphEmulator } from '../emulators/graph/server';

export const MAILBOXES = { alice: 'alice@acme.test', bob: 'bob@acme.test', admin: 'admin@acme.test' } as const;

export interface ServerWorld {
  dir: string;
  crm: CrmEmulator;
  graph: GraphEmulator;
  redis: LocalRedis;
  /** The shared state database, when the world runs with store "postgres". */
  postgres: LocalPostgres | null;
  config: ServerConfig;
  configFile: string;
  server: RunningServer;
  output: () => string;
  statuses(): Promise<Record<string, MailboxStatus>>;
  /** Polls `check` until it returns something truthy; fails with `what` and the workers' output after `timeoutMs`. */
  waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs?: number): Promise<T>;
  /** alice's (or another user's) Graph mailbox as the emulator stores it. */
  mailbox(user: keyof typeof MAILBOXES): Promise<Record<string, Array<Record<string, any>>>>;
  crmApi(user: string, method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: any }>;
  graphApi(user: string, method: string, pathOrUrl: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A new server process tree over the same Redis, emulators and state. */
  restartServer(): Promise<void>;
  /** Redis dies (SIGKILL, as a crash) and comes back on the same port and data (AOF, fsync every second). */
  restartRedis(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ServerWorldOptions {
  processes?: number;
  users?: Array<keyof typeof MAILBOXES>;
  timing?: Partial<ServerConfig['timing']>;
  graphLatencyMs?: number;
  /** More users for the config (e.g. one the CRM does not know: a poison mailbox). */
  extraUsers?: Array<{ crmUser: string; mailbox: string }>;
  /** Seconds between CRM and Outlook checks, saved as each user's own settings before the server starts. */
  intervalSeconds?: number;
  /** Where the workers keep the sync state (default SQLite, a file per worker). */
  store?: 'sqlite' | 'postgres';
}

export async function startServerWorld(opts: ServerWorldOptions = {}): Promise<ServerWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-server-'));
  const crm = await createCrmEmulator({ dbFile: path.join(dir, 'crm.sqlite'), port: 0 });
  const graph = await createGraphEmulator({ dbFile: path.join(dir, 'graph.sqlite'), port: 0, faults: opts.graphLatencyMs ? { latencyMs: opts.graphLatencyMs } : undefined });
  let redis = await startLocalRedis({ dir: path.join(dir, 'redis') });
  const postgres = opts.store === 'postgres' ? await startLocalPostgres() : null;
  if (opts.intervalSeconds) {
    for (const user of opts.users ?? ['alice', 'bob', 'admin']) {
      const body = { data: { type: 'outlooksettings', id: 'user', attributes: { contacts_sync_interval_orocrm: { value: opts.intervalSeconds, useParentScope: false }, contacts_sync_interval_outlook: { value: opts.intervalSeconds, useParentScope: false } } } };
      const res = await fetch(`${crm.url}/api/outlooksettings/user`, { method: 'PATCH', headers: { Authorization: `Bearer ${await tokenFor(crm, user)}`, 'Content-Type': 'application/vnd.api+json', Accept: 'application/vnd.api+json' }, body: JSON.stringify(body) });
      if (res.status !== 200) throw new Error(`saving ${user}'s intervals: ${res.status} ${await res.text()}`);
    }
  }
  const graphUrl = graph.url.replace(/\/+$/, '');
  const raw = {
    crm: { url: crm.url, clientId: DEMO_SERVER_OAUTH_CLIENT.clientId, clientSecret: DEMO_SERVER_OAUTH_CLIENT.secret },
    microsoft365: { tenant: DEMO_TENANT.id, clientId: DEMO_GRAPH_APP.clientId, clientSecret: DEMO_GRAPH_APP.secret, authority: graphUrl, graphUrl: `${graphUrl}/v1.0` },
    users: [...(opts.users ?? ['alice', 'bob', 'admin']).map((u) => ({ crmUser: u, mailbox: MAILBOXES[u] })), ...(opts.extraUsers ?? [])],
    stateDir: path.join(dir, 'state'),
    store: postgres ? { kind: 'postgres', url: postgres.url } : { kind: 'sqlite' },
    workers: { processes: opts.processes ?? 2, concurrency: 4 },
    status: { host: '127.0.0.1', port: 0 },
    timing: { leaseSeconds: 9, jobLockSeconds: 5, attempts: 3, retryDelaySeconds: 0.5, maxMailboxBackoffSeconds: 60, ...(opts.timing ?? {}) },
  };
  const configFile = path.join(dir, 'server.json');
  fs.writeFileSync(configFile, JSON.stringify(raw, null, 2));
  const config = parseConfig(raw, dir);
  let output = '';
  const collect = (id: string, text: string) => (output = (output + text.replace(/^/gm, `[${id}] `)).slice(-200_000));
  const launch = () => startServer({ config, configFile, redisUrl: redis.url, processes: opts.processes ?? 2, log: (l) => collect('main', `${l}\n`), workerOutput: collect });
  const tokens = new Map<string, string>();
  const crmToken = async (user: string) => {
    if (!tokens.has(`crm:${user}`)) tokens.set(`crm:${user}`, await tokenFor(crm, user));
    return tokens.get(`crm:${user}`)!;
  };
  const graphToken = async (user: string) => {
    if (!tokens.has(`graph:${user}`)) {
      const res = await fetch(`${graphUrl}/common/oauth2/v2.0/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'password', username: user, password: user, scope: 'https://graph.microsoft.com/.default' }) });
      tokens.set(`graph:${user}`, ((await res.json()) as { access_token: string }).access_token);
    }
    return tokens.get(`graph:${user}`)!;
  };
  const call = async (url: string, method: string, token: string, body: unknown, type: string) => {
    const res = await fetch(url, { method, headers: { Authorization: `Bearer ${token}`, Accept: type, ...(body === undefined ? {} : { 'Content-Type': type }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as any };
  };
  const world: ServerWorld = {
    dir,
    crm,
    graph,
    redis,
    postgres,
    config,
    configFile,
    server: await launch(),
    output: () => output,
    async statuses() {
      const res = await fetch(`${world.server.statusUrl}status.json`);
      return ((await res.json()) as { mailboxes: Record<string, MailboxStatus> }).mailboxes;
    },
    async waitFor(what, check, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let lastError: unknown = null;
      for (;;) {
        try {
          const value = await check();
          if (value) return value;
        } catch (error) {
          lastError = error;
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}\n--- server output ---\n${output.slice(-6000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async mailbox(user) {
      const res = await fetch(`${graphUrl}/_control/graph/dump`);
      return ((await res.json()) as Record<string, Record<string, Array<Record<string, any>>>>)[MAILBOXES[user]];
    },
    crmApi: async (user, method, p, body) => call(`${crm.url}${p}`, method, await crmToken(user), body, p.startsWith('/api/rest/') ? 'application/json' : 'application/vnd.api+json'),
    graphApi: async (user, method, p, body) => call(p.startsWith('http') ? p : `${graphUrl}${p}`, method, await graphToken(user), body, 'application/json'),
    async restartServer() {
      await world.server.close();
      world.server = await launch();
    },
    async restartRedis(downMs = 1000) {
      const dead = new Promise<void>((resolve) => (world.redis.process.exitCode !== null ? resolve() : world.redis.process.once('exit', () => resolve())));
      world.redis.kill();
      await dead;
      await new Promise((r) => setTimeout(r, downMs));
      redis = world.redis = await startLocalRedis({ dir: path.join(dir, 'redis'), port: world.redis.port });
    },
    async close() {
      await world.server.close().catch(() => undefined);
      await redis.stop();
      await postgres?.stop();
      await graph.close();
      await crm.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}
