import './support/fluent-setup';
import * as React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { CrmSession, DevCredentials, SignIn } from '../../src/auth/types';
import { App } from '../../src/taskpane/components/App';
import { STANDALONE, type HostInfo } from '../../src/taskpane/office-host';
import type { SettingsService } from '../../src/settings/service';
import { AuthenticationError } from '../../src/sync/errors';
import { FakeSettingsService } from './support/fake-settings';

const OUTLOOK: HostInfo = { kind: 'outlook', host: 'Outlook', platform: 'OfficeOnline' };

/** A SignIn that accepts alice/alice and hands out sessions over the given settings service. */
class FakeSignIn implements SignIn {
  readonly defaultCrmUrl = 'http://127.0.0.1:4100';
  readonly attempts: DevCredentials[] = [];
  signOuts = 0;
  constructor(
    private readonly settings: SettingsService = new FakeSettingsService(),
    private kept: CrmSession | null = null,
  ) {}
  async signIn(credentials: DevCredentials): Promise<CrmSession> {
    this.attempts.push(credentials);
    if (credentials.username !== 'alice' || credentials.password !== 'alice') throw new AuthenticationError('Sign-in to the CRM failed: Invalid credentials.');
    return this.session(credentials.crmUrl, credentials.username);
  }
  resume(): CrmSession | null {
    return this.kept;
  }
  session(crmUrl: string, username: string): CrmSession {
    return { crmUrl, username, settings: this.settings, signOut: () => void this.signOuts++ };
  }
}

async function signInAs(user: ReturnType<typeof userEvent.setup>, username: string, password: string) {
  await user.type(screen.getByRole('textbox', { name: /Username/ }), username);
  await user.type(screen.getByLabelText(/Password/), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('pane app', () => {
  test('standalone, it asks for sign-in with the default CRM URL, reports a wrong password, then shows the settings', async () => {
    const user = userEvent.setup();
    const signIn = new FakeSignIn();
    render(<App signIn={signIn} host={STANDALONE} />);

    expect(screen.getByRole('heading', { name: 'Sign in to OroCRM' })).toBeTruthy();
    expect((screen.getByRole('textbox', { name: /CRM URL/ }) as HTMLInputElement).value).toBe('http://127.0.0.1:4100');
    expect(screen.getByText(/demo users alice, bob and admin/)).toBeTruthy();

    await signInAs(user, 'alice', 'wrong');
    expect(await screen.findByText('Sign-in to the CRM failed: Invalid credentials.')).toBeTruthy();

    await user.clear(screen.getByRole('textbox', { name: /Username/ }));
    await user.clear(screen.getByLabelText(/Password/));
    await signInAs(user, 'alice', 'alice');
    expect(await screen.findByRole('heading', { name: 'MS Outlook Settings' })).toBeTruthy();
    expect(screen.getByText(/Signed in to http:\/\/127\.0\.0\.1:4100 as/)).toBeTruthy();
    expect(signIn.attempts.at(-1)).toEqual({ crmUrl: 'http://127.0.0.1:4100', username: 'alice', password: 'alice' });
  });

  test('a session kept from earlier in the tab goes straight to the settings', async () => {
    const signIn = new FakeSignIn();
    const kept = signIn.session('http://127.0.0.1:4100', 'bob');
    render(<App signIn={new FakeSignIn(new FakeSettingsService(), kept)} host={STANDALONE} />);
    expect(await screen.findByRole('button', { name: 'Save Settings' })).toBeTruthy();
  });

  test('when the CRM stops accepting the session, the pane signs out and says why', async () => {
    const refusing: SettingsService = {
      load: () => Promise.reject(new AuthenticationError('The CRM refused the access token and it cannot be refreshed; sign in again.')),
      save: () => Promise.reject(new Error('unreachable')),
    };
    const signIn = new FakeSignIn(refusing);
    render(<App signIn={new FakeSignIn(refusing, signIn.session('http://127.0.0.1:4100', 'alice'))} host={STANDALONE} />);
    expect(await screen.findByRole('heading', { name: 'Sign in to OroCRM' })).toBeTruthy();
    expect(await screen.findByText(/cannot be refreshed; sign in again/)).toBeTruthy();
  });

  test('Sign out forgets the session and returns to the sign-in form', async () => {
    const user = userEvent.setup();
    const signIn = new FakeSignIn();
    render(<App signIn={signIn} host={STANDALONE} />);
    await signInAs(user, 'alice', 'alice');
    await screen.findByRole('button', { name: 'Save Settings' });
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(screen.getByRole('heading', { name: 'Sign in to OroCRM' })).toBeTruthy();
    expect(signIn.signOuts).toBe(1);
  });

  test('inside Outlook the same dev sign-in is shown, saying that real sign-in comes later', () => {
    render(<App signIn={new FakeSignIn()} host={OUTLOOK} />);
    expect(screen.getByRole('heading', { name: 'Sign in to OroCRM' })).toBeTruthy();
    expect(screen.getByText(/comes in a later version/)).toBeTruthy();
  });
});
