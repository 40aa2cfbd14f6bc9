// The settings form as pure state: what was loaded, what the user has drafted, what to show.
// No React, no DOM, no HTTP, so every rule here is unit-tested in plain Node.
import { SETTING_OPTIONS, optionFor, validateSetting, type SettingKey, type SettingOption, type SettingValue } from '../settings';
import type { ResolvedSetting } from '../settings/scopes';
import type { FieldError, LoadedSettings, SettingsChange } from '../settings/service';

/** Choices and booleans as themselves; intervals as the text in the field, so "abc" or "" can be held and flagged. */
export type DraftValue = string | boolean;

export interface Draft {
  useOrganization: boolean;
  value: DraftValue;
}

export type Drafts = Record<SettingKey, Draft>;

export interface Banner {
  intent: 'success' | 'error' | 'warning';
  text: string;
}

export interface FormState {
  phase: 'loading' | 'ready' | 'saving' | 'load-failed';
  loaded: LoadedSettings | null;
  drafts: Drafts | null;
  /** Messages the CRM gave per field on the last save; cleared when the user touches that field. */
  serverErrors: Partial<Record<SettingKey, string>>;
  banner: Banner | null;
}

export type FormAction =
  | { type: 'load-started' }
  | { type: 'loaded'; loaded: LoadedSettings; banner?: Banner }
  | { type: 'load-failed'; message: string }
  | { type: 'use-organization'; key: SettingKey; checked: boolean }
  | { type: 'edit'; key: SettingKey; value: DraftValue }
  | { type: 'cancel' }
  | { type: 'save-started' }
  | { type: 'saved'; loaded: LoadedSettings }
  | { type: 'save-rejected'; errors: FieldError[] }
  | { type: 'save-failed'; message: string }
  | { type: 'save-blocked' }
  | { type: 'dismiss-banner' };

export const INITIAL_FORM_STATE: FormState = { phase: 'loading', loaded: null, drafts: null, serverErrors: {}, banner: null };

export const SAVED_MESSAGE = 'Settings saved.';
export const BLOCKED_MESSAGE = 'Some values are not valid. Correct the highlighted fields, then save again.';

export function formReducer(state: FormState, action: FormAction): FormState {
  switch (action.type) {
    case 'load-started':
      return { ...state, phase: 'loading' };
    case 'loaded':
      return { phase: 'ready', loaded: action.loaded, drafts: draftsFrom(action.loaded), serverErrors: {}, banner: action.banner ?? null };
    case 'load-failed':
      return { ...state, phase: 'load-failed', banner: { intent: 'error', text: action.message } };
    case 'use-organization': {
      if (!state.drafts || !state.loaded) return state;
      // Either way the control starts from the inherited value: checked shows it, cleared edits from it.
      const parent = draftValueOf(optionFor(action.key), state.loaded.settings[action.key].parentValue);
      return updateDraft(state, action.key, { useOrganization: action.checked, value: parent });
    }
    case 'edit': {
      const draft = state.drafts?.[action.key];
      if (!draft || draft.useOrganization) return state;
      return updateDraft(state, action.key, { useOrganization: false, value: action.value });
    }
    case 'cancel':
      if (!state.loaded) return state;
      return { ...state, drafts: draftsFrom(state.loaded), serverErrors: {}, banner: null };
    case 'save-started':
      return { ...state, phase: 'saving', banner: null };
    case 'saved':
      return { phase: 'ready', loaded: action.loaded, drafts: draftsFrom(action.loaded), serverErrors: {}, banner: { intent: 'success', text: SAVED_MESSAGE } };
    case 'save-rejected': {
      const serverErrors: Partial<Record<SettingKey, string>> = {};
      for (const e of action.errors) {
        if (e.key) serverErrors[e.key] = serverErrors[e.key] ? `${serverErrors[e.key]} ${e.message}` : e.message;
      }
      const text = `The CRM did not save your settings: ${action.errors.map((e) => e.message).join(' ') || 'it refused them.'}`;
      return { ...state, phase: 'ready', serverErrors, banner: { intent: 'error', text } };
    }
    case 'save-failed':
      return { ...state, phase: 'ready', banner: { intent: 'error', text: action.message } };
    case 'save-blocked':
      return { ...state, banner: { intent: 'error', text: BLOCKED_MESSAGE } };
    case 'dismiss-banner':
      return { ...state, banner: null };
  }
}

function updateDraft(state: FormState, key: SettingKey, draft: Draft): FormState {
  if (!state.drafts) return state;
  const { [key]: _cleared, ...serverErrors } = state.serverErrors;
  return { ...state, drafts: { ...state.drafts, [key]: draft }, serverErrors };
}

/** The draft a loaded setting starts as. */
export function draftOf(option: SettingOption, resolved: ResolvedSetting): Draft {
  return { useOrganization: resolved.useParentScope, value: draftValueOf(option, resolved.value) };
}

function draftValueOf(option: SettingOption, value: SettingValue): DraftValue {
  return option.type === 'integer' ? String(value) : (value as string | boolean);
}

export function draftsFrom(loaded: LoadedSettings): Drafts {
  return Object.fromEntries(SETTING_OPTIONS.map((o) => [o.key, draftOf(o, loaded.settings[o.key])])) as unknown as Drafts;
}

/** Inline validation of what the user typed; keys using the organization's value are never checked. */
export function inlineErrors(state: FormState): Partial<Record<SettingKey, string>> {
  const errors: Partial<Record<SettingKey, string>> = {};
  if (!state.drafts) return errors;
  for (const option of SETTING_OPTIONS) {
    const draft = state.drafts[option.key];
    if (draft.useOrganization) continue;
    const result = validateSetting(option.key, draft.value);
    if (!result.ok) errors[option.key] = result.problem.message;
  }
  return errors;
}

/** The message to show under a field: what the user just typed wrong first, else what the CRM said. */
export function fieldError(state: FormState, key: SettingKey): string | undefined {
  return inlineErrors(state)[key] ?? state.serverErrors[key];
}

/** Keys whose draft differs from what was loaded (an invalid entry always differs). */
export function changedKeys(state: FormState): SettingKey[] {
  if (!state.drafts || !state.loaded) return [];
  const loaded = state.loaded;
  const drafts = state.drafts;
  return SETTING_OPTIONS.filter((o) => {
    const before = loaded.settings[o.key];
    const draft = drafts[o.key];
    if (draft.useOrganization !== before.useParentScope) return true;
    if (draft.useOrganization) return false;
    const parsed = validateSetting(o.key, draft.value);
    return !parsed.ok || parsed.value !== before.value;
  }).map((o) => o.key);
}

export function isDirty(state: FormState): boolean {
  return changedKeys(state).length > 0;
}

export function canSave(state: FormState): boolean {
  return state.phase === 'ready' && !!state.loaded && isDirty(state);
}

export type SavePlan = { ok: true; change: SettingsChange } | { ok: false; errors: Partial<Record<SettingKey, string>> };

/** Exactly what to send: changed keys only; "Use Organization" deletes the user's value, otherwise the validated value. */
export function planSave(state: FormState): SavePlan {
  const errors = inlineErrors(state);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const change: SettingsChange = {};
  for (const key of changedKeys(state)) {
    const draft = state.drafts![key];
    if (draft.useOrganization) {
      change[key] = { useParentScope: true };
    } else {
      const parsed = validateSetting(key, draft.value);
      if (parsed.ok) change[key] = { useParentScope: false, value: parsed.value };
    }
  }
  return { ok: true, change };
}
