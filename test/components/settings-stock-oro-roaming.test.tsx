// A stock Oro (no outlooksettings extension, and no MS Outlook settings anywhere since Oro 4.1): the pane
// in Outlook (office-addin-mock) shows Oro's documented defaults, keeps the user's own values in Office
// roamingSettings through the thin adapter, says they are stored in Outlook, and hands them to sync.
import './support/fluent-setup';
import * as React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OfficeMockObject } from 'office-addin-mock';
import { CrmHttp } from '../../src/crm/http';
import { CrmSettingsService } from '../../src/crm/settings-service';
import { StaticTokens, type FetchLike } from '../../src/crm/tokens';
import type { OutlookSettings } from '../../src/settings';
import { SettingsForm, storedOutsideCrmExplanation } from '../../src/taskpane/components/SettingsForm';
import { roamingOverridesStore, SETTINGS_OVERRIDES_KEY } from '../../src/taskpane/office-host';
import { observeSettings } from '../../src/taskpane/use-sync-status';

jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));

/** A stock Oro 7.0 as the client sees it: every outlooksettings request is an unknown route (404). */
function stockOro(): { fetch: FetchLike; requests: string[] } {
  const requests: string[] = [];
  const fetchImpl: FetchLike = async (input, init) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    const body = { errors: [{ status: '404', title: 'not found http exception', detail: 'No route found.' }] };
    // jsdom has no fetch Response: the few members CrmHttp reads.
    const headers = new Map([['content-type', 'application/vnd.api+json']]);
    return { status: 404, ok: false, headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null }, text: async () => JSON.stringify(body) } as unknown as Response;
  };
  return { fetch: fetchImpl, requests };
}

function outlookWithRoaming(roaming: Record<string, unknown>, saves: { count: number }) {
  return new OfficeMockObject({
    host: 'outlook',
    context: {
      roamingSettings: {
        get: (k: string) => roaming[k],
        set: (k: string, v: unknown) => void (roaming[k] = JSON.parse(JSON.stringify(v))),
        remove: (k: string) => void delete roaming[k],
        saveAsync: (cb: (r: { status: string }) => void) => {
          saves.count += 1;
          cb({ status: 'succeeded' });
        },
      },
    },
  }) as unknown as typeof Office;
}

function paneService(office: typeof Office, fetchImpl: FetchLike, onEffective: (s: OutlookSettings) => void) {
  const http = new CrmHttp({ baseUrl: 'https://crm.example.com', tokens: new StaticTokens('t'), fetch: fetchImpl });
  return observeSettings(new CrmSettingsService(http, 'user', roamingOverridesStore(office.context.roamingSettings)), onEffective);
}

const outlookInterval = () => screen.getByRole('spinbutton', { name: /Outlook Sync Interval \(In Seconds\)/ }) as HTMLInputElement;

test('Oro\'s defaults are shown, labelled as stored in Outlook; a saved value goes to roamingSettings only and sync gets it', async () => {
  const roaming: Record<string, unknown> = {};
  const saves = { count: 0 };
  const office = outlookWithRoaming(roaming, saves);
  const crm = stockOro();
  const effective: OutlookSettings[] = [];
  render(<SettingsForm settings={paneService(office, crm.fetch, (s) => effective.push(s))} />);

  expect(await screen.findByText(storedOutsideCrmExplanation('Outlook'))).toBeTruthy();
  expect(screen.getByText(/Stored in Outlook, not in OroCRM/)).toBeTruthy();
  expect(outlookInterval().value).toBe('30'); // Oro's documented default
  const useDefault = screen.getByRole('checkbox', { name: 'Use Default: Outlook Sync Interval (In Seconds)' }) as HTMLInputElement;
  expect(useDefault.checked).toBe(true);
  expect(effective.at(-1)).toMatchObject({ contacts_sync_interval_outlook: 30, contacts_sync_interval_orocrm: 120, contacts_sync_direction: 'Both' });

  const user = userEvent.setup();
  await user.click(useDefault);
  await user.clear(outlookInterval());
  await user.type(outlookInterval(), '45');
  await user.click(screen.getByRole('button', { name: 'Save Settings' }));
  expect(await screen.findByText('Settings saved.')).toBeTruthy();

  expect(roaming).toEqual({ [SETTINGS_OVERRIDES_KEY]: { contacts_sync_interval_outlook: 45 } });
  expect(saves.count).toBe(1);
  expect(crm.requests.every((r) => r === 'GET /api/outlooksettings/user')).toBe(true);
  expect(effective.at(-1)).toMatchObject({ contacts_sync_interval_outlook: 45 });
});

test('another pane on the same mailbox (the same roamingSettings) loads the saved value', async () => {
  const roaming: Record<string, unknown> = { [SETTINGS_OVERRIDES_KEY]: { contacts_sync_interval_outlook: 45, tasks_enabled: 'yes' } };
  const office = outlookWithRoaming(roaming, { count: 0 });
  render(<SettingsForm settings={paneService(office, stockOro().fetch, () => undefined)} />);
  await screen.findByText(storedOutsideCrmExplanation('Outlook'));
  expect(outlookInterval().value).toBe('45');
  expect((screen.getByRole('checkbox', { name: 'Use Default: Outlook Sync Interval (In Seconds)' }) as HTMLInputElement).checked).toBe(false);
  // A value no build of the add-in could have saved is dropped: the default applies.
  expect((screen.getByRole('checkbox', { name: 'Use Default: Tasks' }) as HTMLInputElement).checked).toBe(true);
});

test('when Outlook cannot save roamingSettings the pane says the settings were not saved', async () => {
  const office = new OfficeMockObject({
    host: 'outlook',
    context: {
      roamingSettings: {
        get: () => undefined,
        set: () => undefined,
        remove: () => undefined,
        saveAsync: (cb: (r: { status: string; error: { message: string } }) => void) => cb({ status: 'failed', error: { message: 'quota exceeded' } }),
      },
    },
  }) as unknown as typeof Office;
  render(<SettingsForm settings={paneService(office, stockOro().fetch, () => undefined)} />);
  await screen.findByText(storedOutsideCrmExplanation('Outlook'));
  const user = userEvent.setup();
  await user.click(screen.getByRole('checkbox', { name: 'Use Default: Tasks' }));
  await user.click(screen.getByRole('checkbox', { name: 'Tasks' }));
  await user.click(screen.getByRole('button', { name: 'Save Settings' }));
  expect(await screen.findByText(/The settings were not saved\. Outlook could not save your settings: quota exceeded/)).toBeTruthy();
});
