import { MemoryShelf, openMemoryStore } from '../../src/store/memory-store';
import { describeStoreContract } from '../support/store-contract';

describeStoreContract('memory', () => {
  const shelf = new MemoryShelf();
  return { open: (identity) => openMemoryStore(identity, { shelf }) };
});
