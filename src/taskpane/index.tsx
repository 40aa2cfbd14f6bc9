// Entry point: wait for Office.onReady, then render the pane for the host we are in.
import * as React from 'react';
import { createRoot } from 'react-dom/client';
import { DevPasswordSignIn } from '../auth/dev-sign-in';
import { NO_SESSION_KEEPER, storageSessionKeeper } from '../auth/session-keeper';
import { App } from './components/App';
import { ConnectOutsideOutlook } from './components/ConnectOutsideOutlook';
import { DevSyncSignIn } from './dev-sync-connection';
import { isDevMode } from './host-connection';
import { outsideOutlookMessage } from './host-events';
import { createOutlookPaneParts, mountOutlookPane } from './outlook-pane';
import { registerPaneIcons } from './icons';
import { officeGlobal, partitionKey, roamingOverridesStore, SETTINGS_OVERRIDES_KEY, startWhenOfficeReady, type HostInfo } from './office-host';
import { storageOverridesStore, type OverridesStore } from '../settings/local-overrides';
import { createSyncRuntime, defaultSyncParts, UNAVAILABLE_NO_OUTLOOK, unavailableSyncRuntime, type SyncRuntime } from './sync-runtime';

function mountPoint(): HTMLElement {
  const existing = document.getElementById('container');
  if (existing) return existing;
  const created = document.createElement('div');
  created.id = 'container';
  document.body.appendChild(created);
  return created;
}

/** Inside Outlook: real sign-in (OAuth + PKCE for the CRM, MSAL for Microsoft 365) on the connect screen. */
async function renderOutlook(office: typeof Office): Promise<void> {
  // A pinned pane stays open across selections: ItemChanged reaches only the item watcher (outlook-pane.tsx).
  await mountOutlookPane(office, mountPoint(), await createOutlookPaneParts(office));
}

/** Against a stock Oro: Office's roamingSettings where office.js has them, else this browser's localStorage. */
function devSettingsOverrides(office: typeof Office | undefined): OverridesStore | undefined {
  const roaming = office?.context?.roamingSettings;
  if (roaming) return roamingOverridesStore(roaming);
  try {
    return storageOverridesStore(window.localStorage, SETTINGS_OVERRIDES_KEY);
  } catch {
    return undefined; // storage blocked: the values last as long as the pane
  }
}

function render(host: HostInfo): void {
  registerPaneIcons();
  const office = officeGlobal();
  const notice = outsideOutlookMessage(host, isDevMode());
  if (notice) {
    createRoot(mountPoint()).render(<ConnectOutsideOutlook message={notice} />);
    return;
  }
  if (host.kind === 'outlook' && office) {
    void renderOutlook(office);
    return;
  }
  // Outside Outlook (dev mode): the dev password sign-in; a standalone tab keeps its access token in
  // sessionStorage so a reload stays signed in.
  const standalone = host.kind === 'standalone';
  const devSignIn = new DevPasswordSignIn({
    keeper: standalone ? storageSessionKeeper(window.sessionStorage) : NO_SESSION_KEEPER,
    settingsOverrides: devSettingsOverrides(office),
  });
  // Sync runs against the Graph emulator with the dev credentials (dev-sync-connection.ts) until MSAL lands.
  const signIn = new DevSyncSignIn(devSignIn, { storage: standalone ? window.sessionStorage : null });
  const createRuntime = (session: Parameters<typeof signIn.connectionFor>[0]): SyncRuntime => {
    const connection = signIn.connectionFor(session);
    if (!connection) return unavailableSyncRuntime(signIn.unavailableReason(session) ?? UNAVAILABLE_NO_OUTLOOK);
    // `<partitionKey>:` before the database name where Office partitions storage (as host-events.ts does for keys).
    const key = partitionKey();
    return createSyncRuntime(connection, defaultSyncParts(connection, { keyPrefix: key ? `${key}:` : undefined }));
  };
  createRoot(mountPoint()).render(
    <React.StrictMode>
      <App signIn={signIn} host={host} createSyncRuntime={createRuntime} />
    </React.StrictMode>,
  );
}

void startWhenOfficeReady(render);
