// The sync runtime the Outlook pane builds (outlookSyncRuntimeFactory): its IndexedDB state is named with
// Office.context.partitionKey first and keyed to the Outlook mailbox of the signed-in user, so Disconnect
// (clearCrmSyncState with the same prefix) finds it. Without a mailbox or a Graph sign-in, sync explains itself.
import 'fake-indexeddb/auto';
import { OfficeMockObject } from 'office-addin-mock';

jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));

import { syncDatabasePrefix } from '../../src/auth/connection-local-state';
import { CrmOAuthTokens } from '../../src/auth/crm-oauth-tokens';
import { GraphSession } from '../../src/auth/graph-msal-session';
import { memoryTokenVault } from '../../src/auth/token-vault';
import type { CrmSession } from '../../src/auth/types';
import { DEFAULT_SETTINGS } from '../../src/settings/options';
import { indexedDbName } from '../../src/store/indexeddb-store';
import { outlookSyncRuntimeFactory } from '../../src/taskpane/host-connection';
import type { WakeSource } from '../../src/taskpane/host-events';
import type { SyncView } from '../../src/taskpane/sync-runtime';

const CRM = 'https://crm.contoso.com';
const noWake = (): WakeSource => ({ subscribe: () => () => undefined, isOnline: () => true, isVisible: () => true });
const session: CrmSession = { crmUrl: CRM, username: 'alice', settings: { load: () => Promise.reject(new Error('unused')), save: () => Promise.reject(new Error('unused')) }, signOut: () => undefined };
const nothingEnabled = { ...DEFAULT_SETTINGS, contacts_enabled: false, tasks_enabled: false, calendar_events_enabled: false };

function office(mailbox: { userProfile?: { emailAddress: string } } = { userProfile: { emailAddress: 'alice@contoso.com' } }) {
  return new OfficeMockObject({ host: 'outlook', context: { partitionKey: 'pk-9', mailbox } }) as unknown as typeof Office;
}

const tokens = new CrmOAuthTokens({ crmUrl: CRM, vault: memoryTokenVault() });
const graphSignedIn = () => new GraphSession({ accessToken: async () => 'graph-token', signIn: async () => 'graph-token' });

function untilPhase(runtime: { view(): SyncView; subscribe(l: (v: SyncView) => void): () => void }, phase: SyncView['phase']): Promise<void> {
  if (runtime.view().phase === phase) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = runtime.subscribe((v) => {
      if (v.phase === phase) {
        stop();
        resolve();
      }
    });
  });
}

test('the sync database carries the partition prefix and the mailbox, where Disconnect looks for it', async () => {
  const runtime = outlookSyncRuntimeFactory({ tokens: () => tokens }, graphSignedIn(), office(), noWake)(session);
  runtime.settingsLoaded(nothingEnabled);
  await untilPhase(runtime, 'running');
  const names = (await indexedDB.databases()).map((d) => d.name);
  expect(names).toEqual([indexedDbName({ crmUrl: CRM, crmUser: 'alice', mailbox: 'alice@contoso.com' }, 'pk-9:')]);
  expect(names[0]!.startsWith(syncDatabasePrefix(CRM, 'pk-9:'))).toBe(true);
  await runtime.stop();
});

test('without a mailbox, or with Microsoft 365 sign-in not configured, sync says why instead of starting', () => {
  const noMailbox = outlookSyncRuntimeFactory({ tokens: () => tokens }, graphSignedIn(), office({}), noWake)(session);
  expect(noMailbox.view()).toMatchObject({ phase: 'unavailable', message: expect.stringContaining('Outlook mailbox') });
  const noGraph = outlookSyncRuntimeFactory({ tokens: () => tokens }, new GraphSession(null, 'Microsoft 365 sign-in is not configured.'), office(), noWake)(session);
  expect(noGraph.view()).toEqual(expect.objectContaining({ phase: 'unavailable', message: 'Microsoft 365 sign-in is not configured.' }));
});
