// The pane: sign-in until there is a CRM session, then the sync status and the settings form for that session.
import * as React from 'react';
import { ActionButton, Stack, Text } from '@fluentui/react';
import type { CrmSession, SignIn } from '../../auth/types';
import type { HostInfo } from '../office-host';
import { usePaneSync, type SyncRuntimeFactory } from '../use-sync-status';
import { DevSignInForm } from './DevSignInForm';
import { SettingsForm } from './SettingsForm';
import { SyncStatusSection } from './SyncStatusSection';

export interface AppProps {
  signIn: SignIn;
  host: HostInfo;
  /** Builds the sync runtime of a session (index.tsx); without it the pane shows settings only. */
  createSyncRuntime?: SyncRuntimeFactory;
}

export function App({ signIn, host, createSyncRuntime }: AppProps): React.ReactElement {
  const [session, setSession] = React.useState<CrmSession | null>(() => signIn.resume());
  const [notice, setNotice] = React.useState<string | null>(null);
  // The runtime stops when the session goes (sign-out); settings loads and saves reach it at once.
  const sync = usePaneSync(session, createSyncRuntime);

  const signOut = React.useCallback(
    (why: string | null) => {
      session?.signOut();
      setSession(null);
      setNotice(why);
    },
    [session],
  );

  if (!session) {
    return (
      <DevSignInForm
        signIn={signIn}
        inOutlook={host.kind === 'outlook'}
        notice={notice}
        onSignedIn={(s) => {
          setNotice(null);
          setSession(s);
        }}
      />
    );
  }

  return (
    <Stack>
      <Stack horizontal horizontalAlign="space-between" verticalAlign="center" styles={{ root: { padding: '8px 16px 0' } }}>
        <Text variant="small">
          Signed in to {session.crmUrl} as <strong>{session.username}</strong>
        </Text>
        <ActionButton iconProps={{ iconName: 'SignOut' }} text="Sign out" onClick={() => signOut(null)} />
      </Stack>
      {sync.runtime && <SyncStatusSection sync={sync.runtime} />}
      <SettingsForm key={`${session.crmUrl} ${session.username}`} settings={sync.settings ?? session.settings} onSignedOut={(why) => signOut(why)} />
    </Stack>
  );
}
