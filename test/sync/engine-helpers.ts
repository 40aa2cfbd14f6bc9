// A small world for engine tests: two memory sides sharing a request counter, one memory store shelf
// (so a "restarted" engine sees the same database), and readable checks of what both sides hold.
import { DEFAULT_SETTINGS, type OutlookSettings } from '../../src/settings/options';
import { MemoryShelf, openMemoryStore } from '../../src/store/memory-store';
import type { SyncStore } from '../../src/store/types';
import { SyncEngine, type SyncEngineOptions } from '../../src/sync/engine';
import type { ContactRecord } from '../../src/sync/records';
import { MemorySide, RequestCounter } from '../support/memory-side';
import { blankContact } from '../support/records';

export const IDENTITY = { crmUrl: 'http://crm.test', crmUser: 'ann', mailbox: 'ann@example.com' };

export function settingsWith(overrides: Partial<OutlookSettings> = {}): OutlookSettings {
  return { ...DEFAULT_SETTINGS, tasks_enabled: false, calendar_events_enabled: false, ...overrides };
}

export interface World {
  counter: RequestCounter;
  crm: MemorySide;
  outlook: MemorySide;
  shelf: MemoryShelf;
  store: SyncStore;
  engine: SyncEngine;
  settings: OutlookSettings;
  /** A fresh engine and store handle over the same state, as after the pane was closed and reopened. */
  restart(): Promise<SyncEngine>;
}

export async function makeWorld(settings: OutlookSettings = settingsWith(), opts: Partial<SyncEngineOptions> & { random?: () => number; pageSize?: number; batchSize?: number; reportsTotal?: boolean } = {}): Promise<World> {
  const counter = new RequestCounter();
  const sideOpts = { counter, random: opts.random, pageSize: opts.pageSize, batchSize: opts.batchSize, reportsTotal: opts.reportsTotal };
  const crm = new MemorySide('crm', sideOpts);
  const outlook = new MemorySide('outlook', sideOpts);
  const shelf = new MemoryShelf();
  const world: World = {
    counter,
    crm,
    outlook,
    shelf,
    settings,
    store: await openMemoryStore(IDENTITY, { shelf }),
    engine: undefined as never,
    async restart() {
      world.store = await openMemoryStore(IDENTITY, { shelf });
      world.engine = new SyncEngine({ crm, outlook, store: world.store, settings: world.settings, ...opts });
      return world.engine;
    },
  };
  world.engine = new SyncEngine({ crm, outlook, store: world.store, settings, ...opts });
  return world;
}

export function person(first: string, last: string, overrides: Partial<ContactRecord> = {}): ContactRecord {
  return blankContact({ firstName: first, lastName: last, emails: [`${first.toLowerCase()}@example.com`], ...overrides });
}

/** Outlook contacts by "First Last", with the CRM id they carry. */
export function outlookContacts(w: World): Record<string, { crmId: string | null; record: ContactRecord }> {
  return Object.fromEntries(w.outlook.all('contact').map((i) => [`${i.record.firstName} ${i.record.lastName}`, { crmId: i.crmId, record: i.record }]));
}

export function crmContacts(w: World): Record<string, { id: string; record: ContactRecord }> {
  return Object.fromEntries(w.crm.all('contact').map((i) => [`${i.record.firstName} ${i.record.lastName}`, { id: i.id, record: i.record }]));
}
