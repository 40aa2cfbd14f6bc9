// The small development sign-in form (CRM URL, user name, password) shown before the settings.
import * as React from 'react';
import { MessageBar, MessageBarType, PrimaryButton, Spinner, SpinnerSize, Stack, Text, TextField } from '@fluentui/react';
import type { CrmSession, SignIn } from '../../auth/types';

export interface DevSignInFormProps {
  signIn: SignIn;
  /** Inside Outlook the form says that real sign-in comes later. */
  inOutlook: boolean;
  /** Why the user is asked again, e.g. an expired session. */
  notice?: string | null;
  onSignedIn(session: CrmSession): void;
}

export const SIGN_IN_HEADING = 'Sign in to OroCRM';

export function DevSignInForm({ signIn, inOutlook, notice, onSignedIn }: DevSignInFormProps): React.ReactElement {
  const [crmUrl, setCrmUrl] = React.useState(signIn.defaultCrmUrl);
  const [username, setUsername] = React.useState('');
  const [password, setPassword] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | null>(null);

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await signIn.signIn({ crmUrl, username, password });
      onSignedIn(session);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };

  return (
    <Stack tokens={{ childrenGap: 16 }} styles={{ root: { padding: 16, maxWidth: 420 } }}>
      <Text as="h1" variant="xLarge" styles={{ root: { margin: 0 } }}>
        {SIGN_IN_HEADING}
      </Text>
      <Text variant="small">
        {inOutlook
          ? 'Development sign-in with an OroCRM user name and password. Signing in with your organization account comes in a later version.'
          : 'Development sign-in against an OroCRM or the local CRM emulator (demo users alice, bob and admin; the password equals the user name).'}
      </Text>
      {notice && <MessageBar messageBarType={MessageBarType.warning}>{notice}</MessageBar>}
      {error && <MessageBar messageBarType={MessageBarType.error}>{error}</MessageBar>}
      <form onSubmit={(e) => void onSubmit(e)} aria-label={SIGN_IN_HEADING} noValidate>
        <Stack tokens={{ childrenGap: 12 }}>
          <TextField label="CRM URL" type="url" value={crmUrl} onChange={(_e, v) => setCrmUrl(v ?? '')} required disabled={busy} autoComplete="url" />
          <TextField label="Username" value={username} onChange={(_e, v) => setUsername(v ?? '')} required disabled={busy} autoComplete="username" />
          <TextField
            label="Password"
            type="password"
            value={password}
            onChange={(_e, v) => setPassword(v ?? '')}
            required
            disabled={busy}
            autoComplete="current-password"
          />
          <Stack horizontal verticalAlign="center" tokens={{ childrenGap: 12 }}>
            <PrimaryButton type="submit" text="Sign in" disabled={busy} />
            {busy && <Spinner size={SpinnerSize.small} label="Signing in…" labelPosition="right" />}
          </Stack>
        </Stack>
      </form>
    </Stack>
  );
}
