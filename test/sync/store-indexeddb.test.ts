import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { indexedDbName, openIndexedDbStore } from '../../src/store/indexeddb-store';
import { ANN, describeStoreContract, relation } from '../support/store-contract';

describeStoreContract('IndexedDB (fake-indexeddb)', () => {
  const indexedDB = new IDBFactory();
  return { open: (identity) => openIndexedDbStore(identity, { indexedDB }) };
});

describe('IndexedDB store specifics', () => {
  it('keeps one database per identity, named with the key prefix', async () => {
    const indexedDB = new IDBFactory();
    const store = await openIndexedDbStore(ANN, { indexedDB, keyPrefix: 'partition-1/' });
    await store.close();
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).toEqual([indexedDbName(ANN, 'partition-1/')]);
    expect(names[0]).toMatch(/^partition-1\/orocrm-sync:/);
  });

  it('stores under different key prefixes (Office partition keys) do not see each other', async () => {
    const indexedDB = new IDBFactory();
    const one = await openIndexedDbStore(ANN, { indexedDB, keyPrefix: 'p1/' });
    const two = await openIndexedDbStore(ANN, { indexedDB, keyPrefix: 'p2/' });
    try {
      await one.commit({ putRelations: [relation('1', 'A')] });
      expect(await two.relations('contact')).toEqual([]);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
