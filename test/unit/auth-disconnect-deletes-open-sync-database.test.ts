// Disconnect while the pane's sync store is still open (the runtime stops only after React re-renders):
// that CRM's database is deleted all the same, other CRMs' stay, and the open store cannot write it back.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { storageConnectionStore, CRM_URL_SETTING } from '../../src/auth/connection';
import { clearCrmSyncState } from '../../src/auth/connection-local-state';
import { ConnectionManager } from '../../src/auth/connection-manager';
import type { AuthDialog } from '../../src/auth/office-dialog';
import { storageTokenVault } from '../../src/auth/token-vault';
import { openIndexedDbStore } from '../../src/store';
import { memoryStorage } from '../support/storage';

const CRM = 'https://crm.contoso.com';
const PREFIX = 'pk-3:';
const noDialog: AuthDialog = { open: () => Promise.reject(new Error('no sign-in window in this test')) };

test('Disconnect deletes the open sync database of that CRM only, and the open store cannot recreate it', async () => {
  const indexedDB = new IDBFactory();
  const local = memoryStorage();
  local.setItem(`${PREFIX}${CRM_URL_SETTING}`, CRM);
  const vault = storageTokenVault(local, PREFIX);
  vault.save(CRM, { accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 3_600_000 });
  const manager = new ConnectionManager({
    store: storageConnectionStore(local, `${PREFIX}${CRM_URL_SETTING}`),
    vault,
    dialog: noDialog,
    addinBaseUrl: 'https://addin.contoso.com/',
    rules: { allowLoopbackHttp: false },
    clearLocalState: (url) => clearCrmSyncState(url, { indexedDB, keyPrefix: PREFIX }),
  });
  expect(manager.view()).toMatchObject({ kind: 'signed-in', crmUrl: CRM });

  const open = await openIndexedDbStore({ crmUrl: CRM, crmUser: 'alice', mailbox: 'alice@contoso.com' }, { indexedDB, keyPrefix: PREFIX });
  const other = await openIndexedDbStore({ crmUrl: 'https://crm.fabrikam.com', crmUser: 'alice', mailbox: 'alice@contoso.com' }, { indexedDB, keyPrefix: PREFIX });
  await other.close();
  const before = (await indexedDB.databases()).map((d) => d.name);
  expect(before).toHaveLength(2);
  expect(before.every((n) => n?.startsWith(PREFIX))).toBe(true);

  await manager.disconnect();

  expect(manager.view()).toEqual({ kind: 'not-connected' });
  expect(local.map.size).toBe(0);
  expect((await indexedDB.databases()).map((d) => d.name)).toEqual([expect.stringContaining('crm.fabrikam.com')]);
  // The sync loop's store was closed by the deletion: a late write fails instead of bringing the state back.
  await expect(open.clear()).rejects.toThrow();
  expect((await indexedDB.databases()).map((d) => d.name)).toEqual([expect.stringContaining('crm.fabrikam.com')]);
});
