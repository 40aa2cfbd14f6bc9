// The first-run connect screen and the connection bar above the settings: enter the CRM address,
// see which CRM and user the add-in is connected to, sign in again when needed, disconnect.
// Every sign-in starts from a click here; nothing opens a dialog by itself.
import * as React from 'react';
import { DefaultButton, MessageBar, MessageBarType, PrimaryButton, Spinner, SpinnerSize, Stack, Text, TextField } from '@fluentui/react';
import type { ConnectionView } from '../../auth/connection-manager';

/** What the screen needs from the connection (ConnectionManager in the pane, a fake in tests). */
export interface ConnectController {
  view(): ConnectionView;
  subscribe(listener: (view: ConnectionView) => void): () => void;
  connect(typedUrl: string): Promise<void>;
  signIn(): Promise<void>;
  disconnect(): Promise<void>;
}

export interface ConnectScreenProps {
  controller: ConnectController;
  /** Pre-filled address (the build's CRM URL), may be empty. */
  suggestedCrmUrl?: string;
  /** Rendered under the connection bar once signed in (the settings form). */
  signedIn?: () => React.ReactNode;
}

export const CONNECT_HEADING = 'Connect to OroCRM';

function useConnectionView(controller: ConnectController): ConnectionView {
  const [view, setView] = React.useState(() => controller.view());
  React.useEffect(() => {
    setView(controller.view());
    return controller.subscribe(setView);
  }, [controller]);
  return view;
}

export function ConnectScreen({ controller, suggestedCrmUrl = '', signedIn }: ConnectScreenProps): React.ReactElement {
  const view = useConnectionView(controller);
  const [typed, setTyped] = React.useState(suggestedCrmUrl);
  const [busy, setBusy] = React.useState<null | 'connect' | 'sign-in' | 'disconnect'>(null);
  const [error, setError] = React.useState<string | null>(null);

  const run = async (kind: 'connect' | 'sign-in' | 'disconnect', action: () => Promise<void>) => {
    if (busy) return; // one click, one dialog
    setBusy(kind);
    setError(null);
    try {
      await action();
    } catch (failure) {
      // Sign-in failures also show up in the view's message; others (a bad URL) only here.
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(null);
    }
  };

  if (view.kind === 'not-connected') {
    return (
      <Stack tokens={{ childrenGap: 16 }} styles={{ root: { padding: 16, maxWidth: 420 } }}>
        <Text as="h1" variant="xLarge" styles={{ root: { margin: 0 } }}>
          {CONNECT_HEADING}
        </Text>
        <Text>Enter the address of your OroCRM. You sign in there in a separate window; your password never passes through this add-in.</Text>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run('connect', () => controller.connect(typed));
          }}
        >
          <Stack tokens={{ childrenGap: 12 }}>
            <TextField label="CRM address" placeholder="https://crm.example.com" value={typed} onChange={(_e, v) => setTyped(v ?? '')} disabled={busy !== null} required />
            {error && (
              <MessageBar messageBarType={MessageBarType.error} isMultiline>
                {error}
              </MessageBar>
            )}
            <PrimaryButton type="submit" text="Connect" disabled={busy !== null} />
            {busy && <Spinner size={SpinnerSize.small} label="Waiting for the sign-in window…" />}
          </Stack>
        </form>
      </Stack>
    );
  }

  const disconnect = (
    <DefaultButton text="Disconnect" disabled={busy !== null} onClick={() => void run('disconnect', () => controller.disconnect())} />
  );

  if (view.kind === 'sign-in-required') {
    return (
      <Stack tokens={{ childrenGap: 12 }} styles={{ root: { padding: 16, maxWidth: 420 } }}>
        <Text>
          CRM: <strong>{view.crmUrl}</strong>
        </Text>
        <MessageBar messageBarType={view.reason === 'signed-out' ? MessageBarType.info : MessageBarType.warning} isMultiline>
          {view.message}
        </MessageBar>
        {error && error !== view.message && !error.startsWith(view.message) && (
          <MessageBar messageBarType={MessageBarType.error} isMultiline>
            {error}
          </MessageBar>
        )}
        <Stack horizontal tokens={{ childrenGap: 8 }}>
          <PrimaryButton text="Sign in" disabled={busy !== null} onClick={() => void run('sign-in', () => controller.signIn())} />
          {disconnect}
        </Stack>
        {busy === 'sign-in' && <Spinner size={SpinnerSize.small} label="Waiting for the sign-in window…" />}
      </Stack>
    );
  }

  return (
    <Stack>
      <Stack horizontal horizontalAlign="space-between" verticalAlign="center" styles={{ root: { padding: '8px 16px 0' } }}>
        <Text variant="small">
          Connected to {view.crmUrl}
          {view.user && (
            <>
              {' '}
              as <strong>{view.user.displayName}</strong> ({view.user.username})
            </>
          )}
        </Text>
        {disconnect}
      </Stack>
      {view.userUnknown && (
        <MessageBar messageBarType={MessageBarType.warning} isMultiline>
          This OroCRM did not say which user you are signed in as (it has no /api/userprofile and its token names no
          user), so sync cannot start. Settings still work. Ask your OroCRM administrator to enable the user profile API.
        </MessageBar>
      )}
      {error && (
        <MessageBar messageBarType={MessageBarType.error} isMultiline>
          {error}
        </MessageBar>
      )}
      {signedIn?.()}
    </Stack>
  );
}
