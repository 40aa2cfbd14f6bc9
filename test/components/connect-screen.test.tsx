import './support/fluent-setup';
import * as React from 'react';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { validateCrmUrl } from '../../src/auth/connection';
import type { ConnectionView } from '../../src/auth/connection-manager';
import { SIGN_IN_MESSAGES, SignInRequiredError, type SignInReason } from '../../src/auth/crm-oauth';
import { ConnectPane } from '../../src/taskpane/components/ConnectPane';
import { CONNECT_HEADING, type ConnectController } from '../../src/taskpane/components/ConnectScreen';
import { FakeSettingsService } from './support/fake-settings';

/** A scripted connection: the next sign-in either succeeds or fails with a reason. */
class FakeConnection implements ConnectController {
  current: ConnectionView = { kind: 'not-connected' };
  listeners = new Set<(v: ConnectionView) => void>();
  signIns = 0;
  disconnects = 0;
  nextSignIn: SignInReason | 'ok' = 'ok';
  crmUrl = '';
  readonly settingsService = new FakeSettingsService();
  view = () => this.current;
  subscribe = (l: (v: ConnectionView) => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };
  settings = () => (this.current.kind === 'signed-in' ? this.settingsService : null);
  set(view: ConnectionView) {
    this.current = view;
    for (const l of this.listeners) l(view);
  }
  connect = async (typed: string) => {
    this.crmUrl = validateCrmUrl(typed, { allowLoopbackHttp: false });
    this.set({ kind: 'sign-in-required', crmUrl: this.crmUrl, reason: 'signed-out', message: SIGN_IN_MESSAGES['signed-out'] });
    await this.signIn();
  };
  signIn = async () => {
    this.signIns++;
    if (this.nextSignIn !== 'ok') {
      const reason = this.nextSignIn;
      this.set({ kind: 'sign-in-required', crmUrl: this.crmUrl, reason, message: SIGN_IN_MESSAGES[reason] });
      throw new SignInRequiredError(reason);
    }
    this.set({ kind: 'signed-in', crmUrl: this.crmUrl, user: { username: 'alice', displayName: 'Alice Archer' } });
  };
  disconnect = async () => {
    this.disconnects++;
    this.set({ kind: 'not-connected' });
  };
}

function setup(connection = new FakeConnection()) {
  const user = userEvent.setup();
  render(<ConnectPane controller={connection} suggestedCrmUrl="" />);
  return { user, connection };
}

test('first run: entering the CRM address connects, then shows the CRM, the user and the settings', async () => {
  const { user, connection } = setup();
  expect(screen.getByRole('heading', { name: CONNECT_HEADING })).toBeTruthy();
  await user.type(screen.getByRole('textbox', { name: /CRM address/ }), 'https://crm.example.com/');
  await user.click(screen.getByRole('button', { name: 'Connect' }));
  expect(await screen.findByText(/Connected to https:\/\/crm\.example\.com/)).toBeTruthy();
  expect(screen.getByText('Alice Archer')).toBeTruthy();
  expect(connection.signIns).toBe(1);
  // The settings form of that CRM is shown below.
  await screen.findByRole('button', { name: 'Save Settings' }, { timeout: 5000 });
  expect(connection.settingsService.loads).toBe(1);
});

test('a bad address gets a clear message and no sign-in window', async () => {
  const { user, connection } = setup();
  await user.type(screen.getByRole('textbox', { name: /CRM address/ }), 'http://crm.example.com');
  await user.click(screen.getByRole('button', { name: 'Connect' }));
  expect(await screen.findByText(/must start with https:\/\//)).toBeTruthy();
  expect(connection.signIns).toBe(0);
});

test.each([
  ['dialog-closed', /sign-in window was closed/],
  ['consent-denied', /Access was not granted/],
  ['session-expired', /session has expired/],
] as const)('%s shows its message and a Sign-in button; only a click signs in again', async (reason, text) => {
  const connection = new FakeConnection();
  connection.nextSignIn = reason;
  const { user } = setup(connection);
  await user.type(screen.getByRole('textbox', { name: /CRM address/ }), 'https://crm.example.com');
  await user.click(screen.getByRole('button', { name: 'Connect' }));
  expect(await screen.findByText(text)).toBeTruthy();
  expect(connection.signIns).toBe(1);

  connection.nextSignIn = 'ok';
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  expect(await screen.findByText(/Connected to/)).toBeTruthy();
  expect(connection.signIns).toBe(2);
});

test('an expired session found later turns the pane into the sign-in prompt without opening anything', async () => {
  const connection = new FakeConnection();
  connection.crmUrl = 'https://crm.example.com';
  connection.current = { kind: 'signed-in', crmUrl: connection.crmUrl, user: null };
  setup(connection);
  expect(screen.getByText(/Connected to https:\/\/crm\.example\.com/)).toBeTruthy();
  act(() => connection.set({ kind: 'sign-in-required', crmUrl: connection.crmUrl, reason: 'session-expired', message: SIGN_IN_MESSAGES['session-expired'] }));
  expect(await screen.findByText(/session has expired/)).toBeTruthy();
  expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
  expect(connection.signIns).toBe(0);
});

test('Disconnect returns to the connect screen', async () => {
  const connection = new FakeConnection();
  connection.crmUrl = 'https://crm.example.com';
  connection.current = { kind: 'signed-in', crmUrl: connection.crmUrl, user: { username: 'alice', displayName: 'Alice Archer' } };
  const { user } = setup(connection);
  await user.click(screen.getByRole('button', { name: 'Disconnect' }));
  expect(await screen.findByRole('heading', { name: CONNECT_HEADING })).toBeTruthy();
  expect(connection.disconnects).toBe(1);
});

test('a CRM that cannot say who the user is gets a plain warning that sync cannot start, while settings stay usable', async () => {
  const connection = new FakeConnection();
  connection.crmUrl = 'https://crm.example.com';
  connection.current = { kind: 'signed-in', crmUrl: connection.crmUrl, user: null, userUnknown: true };
  setup(connection);
  // Fluent's MessageBar renders its text a tick later (DelayedRender).
  expect(await screen.findByText(/sync cannot start/)).toBeTruthy();
  act(() => connection.set({ kind: 'signed-in', crmUrl: connection.crmUrl, user: { username: 'alice', displayName: 'Alice Archer' } }));
  expect(screen.queryByText(/sync cannot start/)).toBeNull();
});
