// Issue 2 audit: in jsdom with office-addin-mock standing in for Office, the settings pane appears only
// once Office.onReady has answered, and then works as in a plain browser.
import './support/fluent-setup';
import * as React from 'react';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OfficeMockObject } from 'office-addin-mock';
import { SettingsForm } from '../../src/taskpane/components/SettingsForm';
import { startWhenOfficeReady, type HostInfo } from '../../src/taskpane/office-host';
import { FakeSettingsService } from './support/fake-settings';

// office-addin-mock needs only the OfficeApp enum from office-addin-manifest, whose package entry drags in
// an ESM-only dependency jest cannot require (see test/unit/taskpane-office-host.test.ts).
jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));

test('inside Outlook (office-addin-mock) the settings form renders only after Office.onReady, then saves', async () => {
  let ready!: () => void;
  const gate = new Promise<void>((resolve) => (ready = resolve));
  const office = new OfficeMockObject({
    host: 'outlook',
    HostType: { Outlook: 'Outlook' },
    onReady: () => gate.then(() => ({ host: 'Outlook', platform: 'OfficeOnline' })),
    context: { mailbox: { userProfile: { emailAddress: 'alice@acme.test' } } },
  }) as unknown as typeof Office;

  const service = new FakeSettingsService({ organization: { contacts_sync_interval_outlook: 60 } });
  const hosts: HostInfo[] = [];
  const started = startWhenOfficeReady((host) => {
    hosts.push(host);
    render(<SettingsForm settings={service} />);
  }, office);

  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  expect(screen.queryByRole('heading', { name: 'MS Outlook Settings' })).toBeNull();
  expect(service.loads).toBe(0);

  await act(async () => {
    ready();
    await started;
  });
  expect(hosts).toEqual([{ kind: 'outlook', host: 'Outlook', platform: 'OfficeOnline' }]);
  await screen.findByRole('button', { name: 'Save Settings' });
  expect(screen.getByRole('heading', { name: 'MS Outlook Settings' })).toBeTruthy();

  const user = userEvent.setup();
  await user.click(screen.getByRole('checkbox', { name: 'Use Organization: Calendar Events' }));
  await user.click(screen.getByRole('checkbox', { name: 'Calendar Events' }));
  await user.click(screen.getByRole('button', { name: 'Save Settings' }));
  expect(await screen.findByText('Settings saved.')).toBeTruthy();
  expect(service.saves).toEqual([{ calendar_events_enabled: { useParentScope: false, value: false } }]);
});
