// The pane inside Outlook, wired: the real sign-in parts (host-connection.ts) rendered as ConnectPane, and
// the pinned pane's ItemChanged (office-addins.md §3; the item may be null) going to the item watcher
// alone. The sync runtime hangs off the signed-in session, so selecting items never restarts the loop.
import * as React from 'react';
import { createRoot } from 'react-dom/client';
import { defaultCrmUrl } from '../auth/dev-config';
import { ConnectPane, type ConnectPaneProps } from './components/ConnectPane';
import type { GraphController } from './components/ConnectGraphBar';
import { createOutlookConnection, createOutlookGraphSession, outlookSyncRuntimeFactory } from './host-connection';
import { watchSelectedItem, type SelectedItem } from './host-events';
import type { SyncRuntimeFactory } from './use-sync-status';

export interface OutlookPaneParts {
  connection: ConnectPaneProps['controller'];
  graph: GraphController;
  createSyncRuntime: SyncRuntimeFactory;
  suggestedCrmUrl?: string;
}

/** The real parts: OAuth + PKCE for the CRM, MSAL for Microsoft 365, the sync runtime of a session. */
export async function createOutlookPaneParts(office: typeof Office): Promise<OutlookPaneParts> {
  const connection = createOutlookConnection(office);
  const graph = await createOutlookGraphSession(office);
  return { connection, graph, createSyncRuntime: outlookSyncRuntimeFactory(connection, graph, office), suggestedCrmUrl: defaultCrmUrl() };
}

export interface MountedOutlookPane {
  /** Removes the ItemChanged handler and unmounts the pane (tests; Outlook simply closes the pane). */
  unmount(): Promise<void>;
}

/**
 * Renders the pane and follows the selected item. `onItem` hears every selection, null included; nothing
 * in the pane depends on the message yet, and the sync loop never hears of it.
 */
export async function mountOutlookPane(
  office: typeof Office,
  container: HTMLElement,
  parts: OutlookPaneParts,
  onItem: (item: SelectedItem | null) => void = () => undefined,
): Promise<MountedOutlookPane> {
  const root = createRoot(container);
  root.render(
    <React.StrictMode>
      <ConnectPane controller={parts.connection} suggestedCrmUrl={parts.suggestedCrmUrl} graph={parts.graph} createSyncRuntime={parts.createSyncRuntime} />
    </React.StrictMode>,
  );
  const stopWatching = await watchSelectedItem(onItem, office);
  return {
    async unmount() {
      await stopWatching();
      root.unmount();
    },
  };
}
