import './support/fluent-setup';
import * as React from 'react';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SETTING_OPTIONS } from '../../src/settings';
import { SettingsForm } from '../../src/taskpane/components/SettingsForm';
import { FakeSettingsService } from './support/fake-settings';

const ORG = { contacts_sync_interval_outlook: 60, contacts_sync_direction: 'OroCRMToOutlook' as const };

async function renderForm(service = new FakeSettingsService({ organization: ORG })) {
  const user = userEvent.setup();
  render(<SettingsForm settings={service} />);
  await screen.findByRole('button', { name: 'Save Settings' });
  return { service, user };
}

const outlookInterval = () => screen.getByRole('spinbutton', { name: /Outlook Sync Interval \(In Seconds\)/ });
const useOrg = (label: string) => screen.getByRole('checkbox', { name: `Use Organization: ${label}` });
const saveButton = () => screen.getByRole('button', { name: 'Save Settings' });
/** The text a screen reader reads as the field's description: help, then any error. */
const describedText = (field: HTMLElement) =>
  (field.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ');

describe('settings form', () => {
  test('shows a spinner while the settings load, then the heading and all seven options', async () => {
    const service = new FakeSettingsService();
    service.holdLoads();
    render(<SettingsForm settings={service} />);
    expect(screen.getByText('Loading settings…')).toBeTruthy();
    act(() => service.release());
    await screen.findByRole('button', { name: 'Save Settings' });

    expect(screen.getByRole('heading', { level: 1, name: 'MS Outlook Settings' })).toBeTruthy();
    expect(screen.getByRole('radiogroup', { name: 'Sync Direction' })).toBeTruthy();
    for (const label of ['OroCRM to Outlook', 'Outlook to OroCRM', 'Bidirectional', 'OroCRM always wins', 'Outlook always wins']) {
      expect(screen.getByRole('radio', { name: label })).toBeTruthy();
    }
    expect(screen.getByRole('radiogroup', { name: 'Conflict Resolution' })).toBeTruthy();
    expect(screen.getByRole('spinbutton', { name: /CRM Sync Interval \(In Seconds\)/ })).toBeTruthy();
    expect(outlookInterval()).toBeTruthy();
    const sync = screen.getByRole('group', { name: 'Synchronization' });
    for (const label of ['Contacts', 'Tasks', 'Calendar Events']) expect(within(sync).getByRole('checkbox', { name: label })).toBeTruthy();
    expect(describedText(outlookInterval())).toContain('How often changes on Outlook side are checked');
    expect(describedText(screen.getByRole('radio', { name: 'Bidirectional' }))).toContain('The data synchronization direction');
    expect(describedText(within(sync).getByRole('checkbox', { name: 'Calendar Events' }))).toContain('Synchronize calendar events');
  });

  test('every option has its own "Use Organization" box, named after the option', async () => {
    await renderForm();
    const boxes = screen.getAllByRole('checkbox', { name: /^Use Organization: / });
    expect(boxes.map((b) => b.getAttribute('aria-label'))).toEqual(SETTING_OPTIONS.map((o) => `Use Organization: ${o.label}`));
  });

  test('"Use Organization" checked disables the control and shows the inherited value; cleared, it edits from there', async () => {
    const { user } = await renderForm(new FakeSettingsService({ organization: ORG, user: { contacts_sync_interval_outlook: 15 } }));
    expect((outlookInterval() as HTMLInputElement).value).toBe('15');
    expect((outlookInterval() as HTMLInputElement).disabled).toBe(false);

    await user.click(useOrg('Outlook Sync Interval (In Seconds)'));
    expect((outlookInterval() as HTMLInputElement).disabled).toBe(true);
    expect((outlookInterval() as HTMLInputElement).value).toBe('60');

    await user.click(useOrg('Outlook Sync Interval (In Seconds)'));
    expect((outlookInterval() as HTMLInputElement).disabled).toBe(false);
    expect((outlookInterval() as HTMLInputElement).value).toBe('60');

    expect((screen.getByRole('radio', { name: 'OroCRM to Outlook' }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole('radio', { name: 'OroCRM to Outlook' }) as HTMLInputElement).disabled).toBe(true);
    await user.click(useOrg('Sync Direction'));
    await user.click(screen.getByRole('radio', { name: 'Bidirectional' }));
    expect((screen.getByRole('radio', { name: 'Bidirectional' }) as HTMLInputElement).checked).toBe(true);
  });

  test('Save is enabled only when something changed, and Cancel restores the loaded values', async () => {
    const { user, service } = await renderForm();
    expect((saveButton() as HTMLButtonElement).disabled).toBe(true);

    await user.click(useOrg('Tasks'));
    await user.click(screen.getByRole('checkbox', { name: 'Tasks' }));
    expect((saveButton() as HTMLButtonElement).disabled).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect((saveButton() as HTMLButtonElement).disabled).toBe(true);
    expect((useOrg('Tasks') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole('checkbox', { name: 'Tasks' }) as HTMLInputElement).checked).toBe(true);
    expect(service.saves).toEqual([]);
  });

  test.each(['0', '86400', 'abc'])('an interval of "%s" shows a message under the field and is not saved', async (typed) => {
    const { user, service } = await renderForm();
    await user.click(useOrg('Outlook Sync Interval (In Seconds)'));
    await user.clear(outlookInterval());
    if (typed) await user.type(outlookInterval(), typed);

    expect(outlookInterval().getAttribute('aria-invalid')).toBe('true');
    expect(describedText(outlookInterval())).toMatch(/Outlook Sync Interval \(In Seconds\): /);

    await user.click(saveButton());
    expect(await screen.findByText(/Correct the highlighted fields/)).toBeTruthy();
    expect(service.saves).toEqual([]);
  });

  test('a valid interval saves exactly that change, and success is announced', async () => {
    const { user, service } = await renderForm();
    await user.click(useOrg('Outlook Sync Interval (In Seconds)'));
    await user.clear(outlookInterval());
    await user.type(outlookInterval(), '45');
    expect(outlookInterval().getAttribute('aria-invalid')).not.toBe('true');
    await user.click(saveButton());

    expect(await screen.findByText('Settings saved.')).toBeTruthy();
    expect(service.saves).toEqual([{ contacts_sync_interval_outlook: { useParentScope: false, value: 45 } }]);
    expect((outlookInterval() as HTMLInputElement).value).toBe('45');
    expect((useOrg('Outlook Sync Interval (In Seconds)') as HTMLInputElement).checked).toBe(false);
    expect((saveButton() as HTMLButtonElement).disabled).toBe(true);
  });

  test('checking "Use Organization" on a stored value sends useParentScope true, and the inherited value comes back', async () => {
    const { user, service } = await renderForm(new FakeSettingsService({ organization: ORG, user: { contacts_sync_interval_outlook: 45, contacts_enabled: false } }));
    await user.click(useOrg('Outlook Sync Interval (In Seconds)'));
    await user.click(useOrg('Sync Direction'));
    await user.click(screen.getByRole('radio', { name: 'Outlook to OroCRM' }));
    await user.click(saveButton());

    await screen.findByText('Settings saved.');
    expect(service.saves).toEqual([
      { contacts_sync_direction: { useParentScope: false, value: 'OutlookToOroCRM' }, contacts_sync_interval_outlook: { useParentScope: true } },
    ]);
    expect((outlookInterval() as HTMLInputElement).value).toBe('60');
  });

  test('field errors from the CRM appear under their fields and in a message bar; nothing is stored', async () => {
    const service = new FakeSettingsService({ organization: ORG });
    service.rejectNextSaveWith = [
      { key: 'contacts_sync_interval_orocrm', title: 'range constraint', message: 'This value should be 300 or more.' },
      { key: null, title: 'request', message: 'Nothing was stored.' },
    ];
    const { user } = await renderForm(service);
    await user.click(useOrg('CRM Sync Interval (In Seconds)'));
    await user.clear(screen.getByRole('spinbutton', { name: /CRM Sync Interval/ }));
    await user.type(screen.getByRole('spinbutton', { name: /CRM Sync Interval/ }), '200');
    await user.click(saveButton());

    expect(await screen.findByText(/The CRM did not save your settings: This value should be 300 or more\. Nothing was stored\./)).toBeTruthy();
    const field = screen.getByRole('spinbutton', { name: /CRM Sync Interval/ });
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(describedText(field)).toContain('This value should be 300 or more.');
    expect(service.chain.user).toEqual({});

    // Editing the field clears the CRM's message for it.
    await user.type(field, '0');
    expect(describedText(field)).not.toContain('should be 300 or more');
  });

  test('when the settings changed elsewhere (412) the pane says so and shows the reloaded values', async () => {
    const service = new FakeSettingsService({ organization: ORG });
    service.changeElsewhereBeforeNextSave = { contacts_sync_interval_outlook: 90 };
    const { user } = await renderForm(service);
    await user.click(useOrg('Tasks'));
    await user.click(saveButton());

    expect(await screen.findByText(/changed elsewhere/)).toBeTruthy();
    await screen.findByRole('button', { name: 'Save Settings' });
    expect(service.loads).toBe(2);
    expect((outlookInterval() as HTMLInputElement).value).toBe('90');
    expect((useOrg('Tasks') as HTMLInputElement).checked).toBe(true);
    expect(service.chain.user).toEqual({ contacts_sync_interval_outlook: 90 });
  });
});
