// Browser-safe store entry point. The SQLite store is Node-only: import './sqlite-store' directly.
export * from './types';
export { identityKey } from './identity';
export { StoreValueError } from './rules';
export { openIndexedDbStore, indexedDbName, type IndexedDbStoreOptions } from './indexeddb-store';
export { openMemoryStore, MemoryShelf } from './memory-store';
