// What the pane needs from "wherever settings live". The pane sees these types only, never HTTP.
import type { SettingKey, SettingValue } from './options';
import type { ResolvedSettings, Scope } from './scopes';

export interface LoadedSettings {
  scope: Scope;
  settings: ResolvedSettings;
  /** Opaque version for optimistic concurrency (the ETag); null when the server gives none. */
  version: string | null;
  /** True against a stock Oro without the `outlooksettings` extension: values can be shown, not saved. */
  readOnly: boolean;
}

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

/** The settings cannot be saved against this CRM (stock Oro, read-only mode). */
export class SettingsReadOnlyError extends Error {
  constructor() {
    super('This OroCRM does not offer the outlooksettings API, so settings can be viewed here but not saved.');
    this.name = 'SettingsReadOnlyError';
  }
}
