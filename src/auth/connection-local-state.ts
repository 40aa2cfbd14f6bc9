// Disconnect forgets the local sync state of that CRM: every IndexedDB database the store opened for
// it (one per CRM URL + CRM user + mailbox, named by src/store/indexeddb-store.ts's indexedDbName).
import { identityKey } from '../store/identity';

/** The name prefix shared by all sync databases of one CRM URL (see indexedDbName / identityKey). */
export function syncDatabasePrefix(crmUrl: string, keyPrefix = ''): string {
  const key = identityKey({ crmUrl, crmUser: '-', mailbox: '-' });
  return `${keyPrefix}orocrm-sync:${key.slice(0, key.indexOf('|') + 1)}`;
}

/** Deletes those databases; resolves with their names. A database still open elsewhere is deleted once it closes. */
export async function clearCrmSyncState(crmUrl: string, options: { indexedDB?: IDBFactory; keyPrefix?: string } = {}): Promise<string[]> {
  const factory = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!factory || typeof factory.databases !== 'function') return [];
  const prefix = syncDatabasePrefix(crmUrl, options.keyPrefix);
  const names = (await factory.databases()).map((d) => d.name).filter((n): n is string => typeof n === 'string' && n.startsWith(prefix));
  await Promise.all(
    names.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          const request = factory.deleteDatabase(name);
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`));
          // Blocked: an open connection closes on versionchange (indexeddb-store.ts), then success follows.
        }),
    ),
  );
  return names;
}
