import { resolveSettings, type StoredValues } from '../../src/settings/scopes';
import type { LoadedSettings } from '../../src/settings/service';
import {
  INITIAL_FORM_STATE,
  canSave,
  changedKeys,
  formReducer,
  inlineErrors,
  planSave,
  type FormAction,
  type FormState,
} from '../../src/taskpane/settings-form-state';

function loadedWith(user: StoredValues = {}, organization: StoredValues = { contacts_sync_interval_outlook: 60 }): LoadedSettings {
  return { scope: 'user', settings: resolveSettings('user', { user, organization }), version: '1', storedIn: { kind: 'crm' } };
}

function run(...actions: FormAction[]): FormState {
  return actions.reduce(formReducer, INITIAL_FORM_STATE);
}

const OUTLOOK = 'contacts_sync_interval_outlook' as const;

describe('settings form state', () => {
  test('freshly loaded settings are unchanged and cannot be saved', () => {
    const state = run({ type: 'loaded', loaded: loadedWith() });
    expect(changedKeys(state)).toEqual([]);
    expect(canSave(state)).toBe(false);
  });

  test('clearing "Use Organization" starts from the inherited value and counts as a change', () => {
    const state = run({ type: 'loaded', loaded: loadedWith() }, { type: 'use-organization', key: OUTLOOK, checked: false });
    expect(state.drafts![OUTLOOK]).toEqual({ useOrganization: false, value: '60' });
    expect(planSave(state)).toEqual({ ok: true, change: { [OUTLOOK]: { useParentScope: false, value: 60 } } });
  });

  test('checking "Use Organization" shows the inherited value and plans a delete of the own value', () => {
    const state = run({ type: 'loaded', loaded: loadedWith({ [OUTLOOK]: 45 }) }, { type: 'use-organization', key: OUTLOOK, checked: true });
    expect(state.drafts![OUTLOOK]).toEqual({ useOrganization: true, value: '60' });
    expect(planSave(state)).toEqual({ ok: true, change: { [OUTLOOK]: { useParentScope: true } } });
  });

  test('edits are ignored while "Use Organization" is checked', () => {
    const state = run({ type: 'loaded', loaded: loadedWith() }, { type: 'edit', key: OUTLOOK, value: '5' });
    expect(state.drafts![OUTLOOK].value).toBe('60');
  });

  test('typing the stored value back is no change', () => {
    const state = run({ type: 'loaded', loaded: loadedWith({ [OUTLOOK]: 45 }) }, { type: 'edit', key: OUTLOOK, value: '50' }, { type: 'edit', key: OUTLOOK, value: '45' });
    expect(changedKeys(state)).toEqual([]);
  });

  test.each([
    ['0', 'range'],
    ['86400', 'range'],
    ['abc', 'whole number'],
    ['', 'blank'],
  ])('an interval of "%s" is flagged inline and blocks the save plan', (typed, words) => {
    const state = run({ type: 'loaded', loaded: loadedWith({ [OUTLOOK]: 45 }) }, { type: 'edit', key: OUTLOOK, value: typed });
    const plan = planSave(state);
    expect(plan.ok).toBe(false);
    expect(inlineErrors(state)[OUTLOOK]).toMatch(new RegExp(words === 'range' ? 'between 1 and 86399' : words === 'blank' ? 'not be blank' : 'whole number'));
  });

  test('server field errors stay until the user touches that field', () => {
    let state = run(
      { type: 'loaded', loaded: loadedWith() },
      { type: 'save-rejected', errors: [{ key: OUTLOOK, title: 'range constraint', message: 'Too small.' }, { key: 'tasks_enabled', title: 'x', message: 'No.' }] },
    );
    expect(state.serverErrors).toEqual({ [OUTLOOK]: 'Too small.', tasks_enabled: 'No.' });
    expect(state.banner?.intent).toBe('error');
    state = formReducer(state, { type: 'use-organization', key: OUTLOOK, checked: false });
    expect(state.serverErrors).toEqual({ tasks_enabled: 'No.' });
  });

  test('cancel restores the loaded drafts and clears messages', () => {
    const loaded = loadedWith({ contacts_enabled: false });
    const state = run({ type: 'loaded', loaded }, { type: 'edit', key: 'contacts_enabled', value: true }, { type: 'save-blocked' }, { type: 'cancel' });
    expect(state.drafts!.contacts_enabled).toEqual({ useOrganization: false, value: false });
    expect(state.banner).toBeNull();
    expect(changedKeys(state)).toEqual([]);
  });

  test('settings kept outside the CRM (a stock Oro) can be saved like any others', () => {
    const loaded: LoadedSettings = { ...loadedWith({}, {}), storedIn: { kind: 'local', where: 'Outlook' } };
    const state = run({ type: 'loaded', loaded }, { type: 'use-organization', key: 'tasks_enabled', checked: false });
    expect(changedKeys(state)).toEqual(['tasks_enabled']);
    expect(canSave(state)).toBe(true);
  });

  test('a save in flight cannot be started again', () => {
    const state = run({ type: 'loaded', loaded: loadedWith() }, { type: 'use-organization', key: OUTLOOK, checked: false }, { type: 'save-started' });
    expect(canSave(state)).toBe(false);
  });
});
