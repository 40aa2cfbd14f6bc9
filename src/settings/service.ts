// What the pane needs from "wherever settings live". The pane sees these types only, never HTTP.
import type { SettingKey, SettingValue } from './options';
import type { ResolvedSettings, Scope } from './scopes';

export interface LoadedSettings {
  scope: Scope;
  settings: ResolvedSettings;
  /** Opaque version for optimistic concurrency (the ETag); null when the server gives none. */
  version: string | null;
  /**
   * Where the user's own values are kept: in the CRM (the `outlooksettings` extension), or, against a
   * stock Oro, on the Outlook side (`where` names it: "Outlook", "this browser", a file).
   */
  storedIn: SettingsStorage;
}

export type SettingsStorage = { kind: 'crm' } | { kind: 'local'; where: string };

/** Per key: a value of the user's own, or "use the organization's" (delete this scope's value). */
export type SettingsChange = Partial<Record<SettingKey, { useParentScope: true } | { useParentScope: false; value: SettingValue }>>;

export interface FieldError {
  /** The setting the error belongs to, or null for a request-level error. */
  key: SettingKey | null;
  title: string;
  message: string;
}

export interface SettingsService {
  load(): Promise<LoadedSettings>;
  /** Saves atomically; rejects with SettingsRejectedError, SettingsChangedElsewhereError or another Error. */
  save(change: SettingsChange, version: string | null): Promise<LoadedSettings>;
}

/** The server refused the values; nothing was stored. */
export class SettingsRejectedError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => e.message).join(' '));
    this.name = 'SettingsRejectedError';
  }
}

/** The settings changed since they were loaded (HTTP 412); reload before saving again. */
export class SettingsChangedElsewhereError extends Error {
  constructor() {
    super('These settings were changed elsewhere since you opened them. The current values have been reloaded.');
    this.name = 'SettingsChangedElsewhereError';
  }
}

/** The CRM stopped offering the outlooksettings API since the settings were loaded; nothing was saved. */
export class SettingsStorageChangedError extends Error {
  constructor() {
    super('This OroCRM no longer offers the outlooksettings API, so nothing was saved. Your own values are now kept outside OroCRM; check them and save again.');
    this.name = 'SettingsStorageChangedError';
  }
}
