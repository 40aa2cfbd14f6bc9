// The pane inside Outlook: the connect screen, and once signed in the Microsoft 365 sign-in state, the
// sync status and the settings of the connected CRM (the same sections App shows for the dev sign-in).
import * as React from 'react';
import type { CrmSession } from '../../auth/types';
import type { SettingsService } from '../../settings/service';
import { usePaneSync, type SyncRuntimeFactory } from '../use-sync-status';
import { ConnectGraphBar, type GraphController } from './ConnectGraphBar';
import { ConnectScreen, type ConnectController } from './ConnectScreen';
import { SettingsForm } from './SettingsForm';
import { SyncStatusSection } from './SyncStatusSection';

export interface ConnectPaneProps {
  controller: ConnectController & { settings(): SettingsService | null; session?(): CrmSession | null };
  suggestedCrmUrl?: string;
  /** Microsoft 365 sign-in; without it the bar is not shown. */
  graph?: GraphController;
  /** Builds the sync runtime of a session; without it the pane shows settings only. */
  createSyncRuntime?: SyncRuntimeFactory;
}

function SignedIn({ controller, graph, createSyncRuntime }: Omit<ConnectPaneProps, 'suggestedCrmUrl'>): React.ReactElement | null {
  const session = controller.session?.() ?? null;
  const sync = usePaneSync(session, createSyncRuntime);
  // Before the user is known there is no session yet: settings alone (a refused token turns the view to "sign in").
  const settings = sync.settings ?? controller.settings();
  return (
    <>
      {graph && <ConnectGraphBar graph={graph} />}
      {sync.runtime && <SyncStatusSection sync={sync.runtime} />}
      {settings && <SettingsForm key={session ? `${session.crmUrl} ${session.username}` : 'settings'} settings={settings} />}
    </>
  );
}

export function ConnectPane({ controller, suggestedCrmUrl, graph, createSyncRuntime }: ConnectPaneProps): React.ReactElement {
  return (
    <ConnectScreen
      controller={controller}
      suggestedCrmUrl={suggestedCrmUrl}
      signedIn={() => <SignedIn controller={controller} graph={graph} createSyncRuntime={createSyncRuntime} />}
    />
  );
}
