// Binds the pure form state to a SettingsService: load on mount, save, and the 412 reload.
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { AuthenticationError } from '../sync/errors';
import { SettingsChangedElsewhereError, SettingsRejectedError, SettingsStorageChangedError, type SettingsService } from '../settings/service';
import type { SettingKey } from '../settings';
import { INITIAL_FORM_STATE, formReducer, planSave, type DraftValue, type FormState } from './settings-form-state';

export interface SettingsFormApi {
  state: FormState;
  setUseOrganization(key: SettingKey, checked: boolean): void;
  edit(key: SettingKey, value: DraftValue): void;
  cancel(): void;
  save(): Promise<void>;
  reload(): Promise<void>;
  dismissBanner(): void;
}

/** `onSignedOut` runs when the CRM no longer accepts the session, so the app can ask for sign-in again. */
export function useSettingsForm(service: SettingsService, onSignedOut?: (message: string) => void): SettingsFormApi {
  const [state, dispatch] = useReducer(formReducer, INITIAL_FORM_STATE);
  const stateRef = useRef(state);
  stateRef.current = state;
  const signedOutRef = useRef(onSignedOut);
  signedOutRef.current = onSignedOut;

  const reportFailure = useCallback((error: unknown, failed: (message: string) => void) => {
    if (error instanceof AuthenticationError && signedOutRef.current) {
      signedOutRef.current(error.message);
      return;
    }
    failed(error instanceof Error ? error.message : String(error));
  }, []);

  const load = useCallback(
    async (banner?: { intent: 'warning'; text: string }) => {
      dispatch({ type: 'load-started' });
      try {
        const loaded = await service.load();
        dispatch({ type: 'loaded', loaded, banner });
      } catch (error) {
        reportFailure(error, (message) => dispatch({ type: 'load-failed', message: `The settings could not be loaded. ${message}` }));
      }
    },
    [service, reportFailure],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const save = useCallback(async () => {
    const current = stateRef.current;
    if (current.phase !== 'ready' || !current.loaded) return;
    const plan = planSave(current);
    if (!plan.ok) {
      dispatch({ type: 'save-blocked' });
      return;
    }
    dispatch({ type: 'save-started' });
    try {
      const loaded = await service.save(plan.change, current.loaded.version);
      dispatch({ type: 'saved', loaded });
    } catch (error) {
      if (error instanceof SettingsRejectedError) dispatch({ type: 'save-rejected', errors: error.errors });
      else if (error instanceof SettingsChangedElsewhereError) await load({ intent: 'warning', text: error.message });
      // The CRM lost the extension since the load: reload, so the form says where the values go now.
      else if (error instanceof SettingsStorageChangedError) await load({ intent: 'warning', text: error.message });
      else reportFailure(error, (message) => dispatch({ type: 'save-failed', message: `The settings were not saved. ${message}` }));
    }
  }, [service, load, reportFailure]);

  return {
    state,
    setUseOrganization: useCallback((key, checked) => dispatch({ type: 'use-organization', key, checked }), []),
    edit: useCallback((key, value) => dispatch({ type: 'edit', key, value }), []),
    cancel: useCallback(() => dispatch({ type: 'cancel' }), []),
    save,
    reload: useCallback(() => load(), [load]),
    dismissBanner: useCallback(() => dispatch({ type: 'dismiss-banner' }), []),
  };
}
