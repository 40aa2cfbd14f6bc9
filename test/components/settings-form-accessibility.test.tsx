// The settings pane: keyboard-only use, names on every control, the brief success
// message, and a CRM that loses the extension between load and save (the form says where values go now).
import './support/fluent-setup';
import * as React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SETTING_OPTIONS } from '../../src/settings';
import { SettingsStorageChangedError, type LoadedSettings, type SettingsChange } from '../../src/settings/service';
import { SettingsForm, storedOutsideCrmExplanation } from '../../src/taskpane/components/SettingsForm';
import { FakeSettingsService } from './support/fake-settings';

const ORG = { contacts_sync_interval_outlook: 60 };
const OUTLOOK = 'Outlook Sync Interval (In Seconds)';

const outlookInterval = () => screen.getByRole('spinbutton', { name: new RegExp(OUTLOOK.replace(/[()]/g, '\\$&')) }) as HTMLInputElement;
const saveButton = () => screen.getByRole('button', { name: 'Save Settings' }) as HTMLButtonElement;

/** Presses Tab (or Shift+Tab) until `target` has focus; fails if it is not reachable by keyboard. */
async function tabTo(user: ReturnType<typeof userEvent.setup>, target: HTMLElement, backwards = false): Promise<void> {
  for (let i = 0; i < 60 && document.activeElement !== target; i++) await user.tab({ shift: backwards });
  expect(document.activeElement).toBe(target);
}

/** A CRM whose outlooksettings extension disappears after the first load (a stock Oro from then on). */
class ExtensionRemovedService extends FakeSettingsService {
  override async save(_change: SettingsChange, _version: string | null): Promise<LoadedSettings> {
    this.storedIn = { kind: 'local', where: 'Outlook' };
    throw new SettingsStorageChangedError();
  }
}

describe('settings pane: keyboard and screen reader', () => {
  test('works by keyboard alone: clear "Use Organization", type 45, save with Enter', async () => {
    const service = new FakeSettingsService({ organization: ORG });
    const user = userEvent.setup();
    render(<SettingsForm settings={service} />);
    await screen.findByRole('button', { name: 'Save Settings' });

    const box = screen.getByRole('checkbox', { name: `Use Organization: ${OUTLOOK}` });
    await tabTo(user, box);
    await user.keyboard(' ');
    expect((box as HTMLInputElement).checked).toBe(false);
    expect(outlookInterval().disabled).toBe(false);
    expect(outlookInterval().value).toBe('60');

    await tabTo(user, outlookInterval(), true);
    await user.keyboard('{Control>}a{/Control}45');
    expect(outlookInterval().value).toBe('45');

    await tabTo(user, saveButton());
    await user.keyboard('{Enter}');
    expect(await screen.findByText('Settings saved.')).toBeTruthy();
    expect(service.saves).toEqual([{ contacts_sync_interval_outlook: { useParentScope: false, value: 45 } }]);
  });

  test('every control of the form has an accessible name, and each option its help as description', async () => {
    render(<SettingsForm settings={new FakeSettingsService({ organization: ORG })} />);
    await screen.findByRole('button', { name: 'Save Settings' });
    for (const role of ['checkbox', 'radio', 'spinbutton', 'button', 'radiogroup'] as const) {
      const all = screen.getAllByRole(role);
      expect(screen.getAllByRole(role, { name: /\S/ })).toHaveLength(all.length);
    }
    // 7 "Use Organization" boxes + 3 synchronization check boxes.
    expect(screen.getAllByRole('checkbox')).toHaveLength(SETTING_OPTIONS.length + 3);
    const described = (el: HTMLElement) =>
      (el.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
    const escape = (text: string) => new RegExp(`^${text.replace(/[()]/g, '\\$&')}`);
    for (const option of SETTING_OPTIONS) {
      expect(screen.getByRole('checkbox', { name: `Use Organization: ${option.label}` })).toBeTruthy();
      const controls =
        option.type === 'choice'
          ? option.choices.map((c) => screen.getByRole('radio', { name: c.label }))
          : [screen.getByRole(option.type === 'integer' ? 'spinbutton' : 'checkbox', { name: escape(option.label) })];
      for (const control of controls) expect(described(control)).toContain(option.help);
    }
    expect(screen.getByRole('form', { name: 'MS Outlook Settings' })).toBeTruthy();
  });

  test('the layout follows Oro\'s page: heading, direction, conflict rule, the two intervals, then the Synchronization group', async () => {
    render(<SettingsForm settings={new FakeSettingsService({ organization: ORG })} />);
    await screen.findByRole('button', { name: 'Save Settings' });
    const inOrder = [
      screen.getByRole('heading', { level: 1, name: 'MS Outlook Settings' }),
      screen.getByRole('radiogroup', { name: 'Sync Direction' }),
      screen.getByRole('radiogroup', { name: 'Conflict Resolution' }),
      screen.getByRole('spinbutton', { name: /^CRM Sync Interval/ }),
      outlookInterval(),
      screen.getByRole('group', { name: 'Synchronization' }),
      saveButton(),
      screen.getByRole('button', { name: 'Cancel' }),
    ];
    for (let i = 1; i < inOrder.length; i++) {
      expect(inOrder[i - 1].compareDocumentPosition(inOrder[i]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    }
    expect(screen.getAllByText('seconds')).toHaveLength(2);
  });

  test('the success message is brief: it goes away by itself', async () => {
    const service = new FakeSettingsService({ organization: ORG });
    const user = userEvent.setup();
    render(<SettingsForm settings={service} successMessageMs={30} />);
    await screen.findByRole('button', { name: 'Save Settings' });
    await user.click(screen.getByRole('checkbox', { name: 'Use Organization: Tasks' }));
    await user.click(screen.getByRole('checkbox', { name: 'Tasks' }));
    await user.click(saveButton());
    expect(await screen.findByText('Settings saved.')).toBeTruthy();
    await waitFor(() => expect(screen.queryByText('Settings saved.')).toBeNull());
  });

  test('when the CRM no longer offers the extension at save time, nothing is saved and the pane reloads saying where values are kept now', async () => {
    const service = new ExtensionRemovedService({ organization: ORG });
    const user = userEvent.setup();
    render(<SettingsForm settings={service} />);
    await screen.findByRole('button', { name: 'Save Settings' });
    await user.click(screen.getByRole('checkbox', { name: 'Use Organization: Tasks' }));
    await user.click(screen.getByRole('checkbox', { name: 'Tasks' }));
    expect(saveButton().disabled).toBe(false);
    await user.click(saveButton());

    expect(await screen.findByText(storedOutsideCrmExplanation('Outlook'))).toBeTruthy();
    expect(screen.getByText(/so nothing was saved/)).toBeTruthy();
    expect((screen.getByRole('checkbox', { name: 'Use Default: Tasks' }) as HTMLInputElement).disabled).toBe(false);
    expect(service.loads).toBe(2);
  });
});
