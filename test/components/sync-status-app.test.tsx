import './support/fluent-setup';
import * as React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { CrmSession, DevCredentials, SignIn } from '../../src/auth/types';
import type { OutlookSettings } from '../../src/settings/options';
import { initialStatus } from '../../src/sync/status';
import { App } from '../../src/taskpane/components/App';
import { STANDALONE } from '../../src/taskpane/office-host';
import type { SyncRuntime, SyncView } from '../../src/taskpane/sync-runtime';
import { FakeSettingsService } from './support/fake-settings';

class FakeSignIn implements SignIn {
  readonly defaultCrmUrl = 'http://127.0.0.1:4100';
  constructor(private readonly settings: FakeSettingsService) {}
  async signIn(c: DevCredentials): Promise<CrmSession> {
    return { crmUrl: c.crmUrl, username: c.username, settings: this.settings, signOut: () => undefined };
  }
  resume(): CrmSession | null {
    return null;
  }
}

/** A runtime that records the settings it receives and whether it was stopped. */
class RecordingRuntime implements SyncRuntime {
  received: OutlookSettings[] = [];
  stopped = false;
  private current: SyncView = { phase: 'running', message: null, status: initialStatus(), conflicts: [] };
  view = () => this.current;
  subscribe = () => () => undefined;
  syncNow = jest.fn(async () => undefined);
  retry = jest.fn(async () => undefined);
  confirmDeletions = jest.fn(async () => undefined);
  keepInsteadOfDeleting = jest.fn(async () => undefined);
  settingsLoaded(settings: OutlookSettings) {
    this.received.push(settings);
  }
  async stop() {
    this.stopped = true;
  }
}

describe('pane app with sync', () => {
  test('after sign-in the Sync status section shows; loaded and saved settings reach the runtime at once; sign-out stops it', async () => {
    const user = userEvent.setup();
    const settings = new FakeSettingsService({ organization: { contacts_sync_interval_outlook: 60 } });
    const runtimes: RecordingRuntime[] = [];
    const createSyncRuntime = (session: CrmSession) => {
      expect(session.username).toBe('alice');
      const r = new RecordingRuntime();
      runtimes.push(r);
      return r;
    };
    render(<App signIn={new FakeSignIn(settings)} host={STANDALONE} createSyncRuntime={createSyncRuntime} />);

    await user.type(screen.getByRole('textbox', { name: /Username/ }), 'alice');
    await user.type(screen.getByLabelText(/Password/), 'alice');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Sync status' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sync now' })).toBeTruthy();
    const runtime = runtimes.at(-1)!;
    await waitFor(() => expect(runtime.received.at(-1)?.contacts_sync_interval_outlook).toBe(60));

    // Override the Outlook interval and save: the runtime gets the new effective value.
    const box = screen.getByRole('checkbox', { name: 'Use Organization: Outlook Sync Interval (In Seconds)' });
    await user.click(box);
    const field = screen.getByRole('spinbutton', { name: /Outlook Sync Interval \(In Seconds\)/ });
    await user.clear(field);
    await user.type(field, '15');
    await user.click(screen.getByRole('button', { name: 'Save Settings' }));
    await waitFor(() => expect(runtime.received.at(-1)?.contacts_sync_interval_outlook).toBe(15));

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await screen.findByRole('button', { name: 'Sign in' });
    expect(runtimes.every((r) => r.stopped)).toBe(true);
    expect(screen.queryByRole('heading', { name: 'Sync status' })).toBeNull();
  });
});
