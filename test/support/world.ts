// A whole sync world over real HTTP: the CRM and Graph emulators on temp SQLite files, a CrmSide and an
// OutlookSide signed in as alice with password tokens, a fake-IndexedDB store and a SyncEngine.
// `restart()` builds new sides, a new store handle and a new engine over the same state, as after the
// pane was closed (or the runner killed) and opened again. `kill` helpers simulate a process that dies
// after its n-th HTTP request: that request reaches the server, its answer and everything after are lost.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CrmHttp } from '../../src/crm/http';
import { CrmSide } from '../../src/crm/side';
import { PasswordGrantTokens } from '../../src/crm/tokens';
import { createOutlookSide, GraphPasswordTokens, type OutlookSide } from '../../src/outlook';
import { DEFAULT_SETTINGS, type OutlookSettings } from '../../src/settings/options';
import { openIndexedDbStore } from '../../src/store/indexeddb-store';
import type { StoreCommit, SyncStore } from '../../src/store/types';
import { SyncEngine } from '../../src/sync/engine';
import type { EntityType, RecordOf } from '../../src/sync/records';
import type { ChangePage, SideItem, SyncSide } from '../../src/sync/side';
import type { FaultKnobs, Stats } from '../emulators/common/faults';
import { createCrmEmulator, type CrmEmulator } from '../emulators/crm/server';
import { createGraphEmulator, type GraphEmulator } from '../emulators/graph/server';
import { DEMO_RUNNER_APP } from '../emulators/demo-data';

export const USER = 'alice';
export const IDENTITY_MAILBOX = 'alice@acme.test';

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface WorldOptions {
  settings?: Partial<OutlookSettings>;
  /** Graph knobs at start; the emulator keeps its 4-concurrent limit unless `maxConcurrent` says otherwise. */
  graphFaults?: Partial<FaultKnobs>;
  /** The clock of both sides (their calendar window) and the engine; Date.now by default. */
  now?: () => number;
  /** The CRM emulator's clock (its updatedAt stamps and token lifetimes); the real clock by default. */
  crmNow?: () => Date;
}

export interface Sides {
  crm: CrmSide;
  outlook: OutlookSide;
}

export interface World {
  crmUrl: string;
  graphUrl: string;
  settings: OutlookSettings;
  store: SyncStore;
  sides: Sides;
  engine: SyncEngine;
  /** New sides (optionally over `fetch`), a new store handle and a new engine over the same state. */
  restart(opts?: { fetch?: FetchFn; store?: (s: SyncStore) => SyncStore; attempts?: { crm: number; graph: number } }): Promise<SyncEngine>;
  /** Sides for looking at the data (not the ones under test). */
  readers: Sides;
  crmApi(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: any }>;
  graphApi(method: string, pathOrUrl: string, body?: unknown): Promise<{ status: number; body: any }>;
  graphFaults(knobs: Partial<FaultKnobs>): Promise<void>;
  crmFaults(knobs: Partial<FaultKnobs>): Promise<void>;
  stats(side: 'crm' | 'graph'): Promise<Stats>;
  resetStats(): Promise<void>;
  /** Every item of a type on one side, read in one full round. */
  list<T extends EntityType>(side: 'crm' | 'outlook', type: T): Promise<Array<SideItem<RecordOf<T>>>>;
  /** alice's whole Graph mailbox as the emulator stores it. */
  mailbox(): Promise<Record<string, Array<Record<string, any>>>>;
  close(): Promise<void>;
}

/** Fast retries: tests set small Retry-After values and inject faults, so real waits stay short. */
export function buildSides(crmUrl: string, graphUrl: string, fetch?: FetchFn, attempts = { crm: 6, graph: 8 }, now?: () => number): Sides {
  const crmTokens = new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: crmUrl, username: USER, password: USER });
  const crm = new CrmSide({ http: new CrmHttp({ baseUrl: crmUrl, tokens: crmTokens, fetch: fetch as typeof globalThis.fetch | undefined }), retry: { attempts: attempts.crm, baseDelayMs: 2, maxDelayMs: 40 }, now });
  const graphTokens = new GraphPasswordTokens({ tokenUrl: `${graphUrl}/common/oauth2/v2.0/token`, username: USER, password: USER });
  const outlook = createOutlookSide({ tokens: graphTokens, baseUrl: `${graphUrl}/v1.0`, fetch, backoffBaseMs: 2, backoffMaxMs: 40, maxAttempts: attempts.graph, maxRetryAfterMs: 2000, now, seriesCheckEveryMs: 0 });
  return { crm, outlook };
}

export function worldSettings(overrides: Partial<OutlookSettings> = {}): OutlookSettings {
  return { ...DEFAULT_SETTINGS, ...overrides };
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-world-'));
  let crmEmu: CrmEmulator | undefined;
  let graphEmu: GraphEmulator | undefined;
  try {
    crmEmu = await createCrmEmulator({ dbFile: path.join(dir, 'crm.sqlite'), port: 0, now: opts.crmNow });
    graphEmu = await createGraphEmulator({ dbFile: path.join(dir, 'graph.sqlite'), port: 0, faults: opts.graphFaults });
  } catch (error) {
    await crmEmu?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const crmUrl = crmEmu.url.replace(/\/+$/, '');
  const graphUrl = graphEmu.url.replace(/\/+$/, '');
  const factory = new IDBFactory();
  const identity = { crmUrl, crmUser: USER, mailbox: IDENTITY_MAILBOX };
  const settings = worldSettings(opts.settings);
  const readers = buildSides(crmUrl, graphUrl, undefined, undefined, opts.now);
  const tokens: Record<string, string> = {};

  const control = async (base: string, method: string, p: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${base}${p}`, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const token = async (side: 'crm' | 'graph'): Promise<string> => {
    tokens[side] ??= side === 'crm' ? await new PasswordGrantTokens({ ...DEMO_RUNNER_APP, baseUrl: crmUrl, username: USER, password: USER }).accessToken() : await new GraphPasswordTokens({ tokenUrl: `${graphUrl}/common/oauth2/v2.0/token`, username: USER, password: USER }).accessToken();
    return tokens[side];
  };
  const call = async (side: 'crm' | 'graph', method: string, url: string, body: unknown, contentType: string) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${await token(side)}`, Accept: contentType };
    if (body !== undefined) headers['Content-Type'] = contentType;
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed as any };
  };

  const world: World = {
    crmUrl,
    graphUrl,
    settings,
    store: await openIndexedDbStore(identity, { indexedDB: factory }),
    sides: buildSides(crmUrl, graphUrl, undefined, undefined, opts.now),
    engine: undefined as never,
    readers,
    async restart(r = {}) {
      await world.store.close().catch(() => undefined);
      const store = await openIndexedDbStore(identity, { indexedDB: factory });
      world.store = r.store ? r.store(store) : store;
      world.sides = buildSides(crmUrl, graphUrl, r.fetch, r.attempts, opts.now);
      world.engine = new SyncEngine({ crm: world.sides.crm, outlook: world.sides.outlook, store: world.store, settings: world.settings, now: opts.now });
      return world.engine;
    },
    crmApi: (method, p, body) => call('crm', method, `${crmUrl}${p}`, body, p.startsWith('/api/rest/') ? 'application/json' : 'application/vnd.api+json'),
    graphApi: (method, p, body) => call('graph', method, p.startsWith('http') ? p : `${graphUrl}/v1.0${p}`, body, 'application/json'),
    graphFaults: async (knobs) => void (await control(graphUrl, 'POST', '/_control/faults', knobs)),
    crmFaults: async (knobs) => void (await control(crmUrl, 'POST', '/_control/faults', knobs)),
    stats: async (side) => (await control(side === 'crm' ? crmUrl : graphUrl, 'GET', '/_control/stats')) as Stats,
    resetStats: async () => {
      await control(crmUrl, 'DELETE', '/_control/stats');
      await control(graphUrl, 'DELETE', '/_control/stats');
    },
    list: (side, type) => fullRound(side === 'crm' ? readers.crm : readers.outlook, type),
    mailbox: async () => ((await control(graphUrl, 'GET', '/_control/graph/dump')) as Record<string, Record<string, Array<Record<string, any>>>>)[IDENTITY_MAILBOX],
    async close() {
      await world.store.close().catch(() => undefined);
      await crmEmu!.close();
      await graphEmu!.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  world.engine = new SyncEngine({ crm: world.sides.crm, outlook: world.sides.outlook, store: world.store, settings, now: opts.now });
  return world;
}

/** Every current item of `type` on a side: one complete full round, later occurrences winning. */
export async function fullRound<T extends EntityType>(side: SyncSide, type: T): Promise<Array<SideItem<RecordOf<T>>>> {
  const items = new Map<string, SideItem<RecordOf<T>>>();
  let checkpoint: string | null = null;
  for (let i = 0; i < 10_000; i++) {
    const page: ChangePage<RecordOf<T>> = await side.readChanges(type, checkpoint);
    for (const c of page.changes) {
      if (c.kind === 'upsert') items.set(c.item.id, c.item);
      else items.delete(c.id);
    }
    if (page.done) return [...items.values()];
    checkpoint = page.checkpoint;
  }
  throw new Error(`the ${type} round of ${side.name} did not end`);
}

// ---------------------------------------------------------------- kills

/** A fetch that dies after `n` requests: the n-th is sent, its answer lost; every later call fails at once. */
export class Kill {
  private count = 0;
  killed = false;
  /** `answer-lost`: the n-th request reaches the service and its answer is lost; `before-send`: it never leaves. */
  constructor(
    readonly after: number,
    readonly mode: 'answer-lost' | 'before-send' = 'answer-lost',
  ) {}

  get requests(): number {
    return this.count;
  }

  fetch: FetchFn = async (input, init) => {
    if (this.killed) throw new TypeError('fetch failed (process killed)');
    this.count++;
    const last = this.count >= this.after;
    if (last) this.killed = true;
    if (last && this.mode === 'before-send') throw new TypeError('fetch failed (process killed)');
    const res = await globalThis.fetch(input, init);
    if (this.killed) {
      await res.arrayBuffer().catch(() => undefined);
      throw new TypeError('fetch failed (process killed)');
    }
    return res;
  };

  /** Once killed, nothing reaches the local database either. */
  store = (inner: SyncStore): SyncStore => {
    const dead = () => Promise.reject(new Error('process killed'));
    const kill = this;
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop === 'commit') return (c: StoreCommit) => (kill.killed ? dead() : target.commit(c));
        if (prop === 'setStatus') return (s: unknown) => (kill.killed ? dead() : target.setStatus(s));
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
}

/** Counts requests without failing any (to size a crash test). */
export class Counter {
  requests = 0;
  fetch: FetchFn = (input, init) => {
    this.requests++;
    return globalThis.fetch(input, init);
  };
}

// ---------------------------------------------------------------- checks

export function nameOf(type: EntityType, record: any): string {
  if (type === 'contact') return [record.firstName, record.lastName].filter(Boolean).join(' ');
  if (type === 'task') return record.subject;
  return record.title;
}

/** Items grouped by display name; throws on duplicates so a test sees them by name. */
export function byName<T extends EntityType>(type: T, items: Array<SideItem<RecordOf<T>>>): Record<string, SideItem<RecordOf<T>>> {
  const out: Record<string, SideItem<RecordOf<T>>> = {};
  for (const item of items) {
    const name = nameOf(type, item.record);
    if (out[name]) throw new Error(`duplicate ${type} "${name}" (${out[name].id}, ${item.id})`);
    out[name] = item;
  }
  return out;
}

/** No two Outlook items carry the same CRM id. */
export function duplicateStamps(items: Array<SideItem<unknown>>): string[] {
  const seen = new Map<string, number>();
  for (const i of items) if (typeof i.crmId === 'string' && i.crmId) seen.set(i.crmId, (seen.get(i.crmId) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}

/** Routes that change data (a $batch envelope is not one: its sub-requests count on their own routes). */
export function writesIn(stats: { byRoute: Record<string, number> }): Record<string, number> {
  return Object.fromEntries(Object.entries(stats.byRoute).filter(([route]) => /^(POST|PATCH|PUT|DELETE) /.test(route) && !route.includes('$batch') && !route.includes('token')));
}
