// Settings on a stock Oro (no `outlooksettings` extension). Oro 5–7 has no MS Outlook configuration
// section at all (the integration was removed in 4.1), so nothing in the CRM can hold these values:
// Oro's documented defaults apply, and the user's own values are kept on the Outlook side — Office
// roaming settings in the pane (they follow the mailbox), a local file for the headless runner.
import { SETTING_KEYS, type SettingKey } from './options';
import { resolveSettings, type StoredValues } from './scopes';
import { validateSetting, validateSettings } from './validation';
import { SettingsRejectedError, type LoadedSettings, type SettingsChange } from './service';

/** Where the user's own values live when the CRM cannot keep them. */
export interface OverridesStore {
  /** Shown to the user: "stored in <where>, not in OroCRM" ("Outlook", "this browser", a file path). */
  readonly where: string;
  /** Whatever was saved before (validated by the caller: roaming settings follow the mailbox to every build). */
  load(): Promise<unknown>;
  save(values: StoredValues): Promise<void>;
}

/** Only valid values of known keys: a value saved by another build of the add-in is dropped, not trusted. */
export function readOverrides(raw: unknown): StoredValues {
  const out: StoredValues = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const key of SETTING_KEYS) {
    const value = (raw as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const checked = validateSetting(key, value);
    if (checked.ok) out[key as SettingKey] = checked.value as never;
  }
  return out;
}

/**
 * The user scope over Oro's defaults, from an OverridesStore. "Use Organization" here means "use Oro's
 * default" (`parentScope: 'default'`): a stock Oro has no organization value to inherit.
 */
export class LocalOverrides {
  constructor(readonly store: OverridesStore) {}

  async load(): Promise<LoadedSettings> {
    return this.loaded(readOverrides(await this.store.load()));
  }

  /** Validates every value first (all problems at once, as the extension would) and stores nothing on failure. */
  async save(change: SettingsChange): Promise<LoadedSettings> {
    const values: Record<string, unknown> = {};
    for (const [key, c] of Object.entries(change)) if (c && !c.useParentScope) values[key] = c.value;
    const checked = validateSettings(values);
    if (!checked.ok) throw new SettingsRejectedError(checked.problems.map((p) => ({ key: p.key as SettingKey, title: p.title, message: p.message })));
    const next = readOverrides(await this.store.load());
    for (const [key, c] of Object.entries(change) as Array<[SettingKey, SettingsChange[SettingKey]]>) {
      if (!c) continue;
      if (c.useParentScope) delete next[key];
      else next[key] = checked.values[key] as never;
    }
    await this.store.save(next);
    return this.loaded(next);
  }

  private loaded(user: StoredValues): LoadedSettings {
    return { scope: 'user', settings: resolveSettings('user', { user }), version: null, storedIn: { kind: 'local', where: this.store.where } };
  }
}

/** Memory only (tests, and a pane whose storage is blocked: the values last as long as the pane). */
export function memoryOverridesStore(where = 'this window'): OverridesStore & { values: StoredValues } {
  const store = {
    where,
    values: {} as StoredValues,
    load: async () => ({ ...store.values }),
    save: async (values: StoredValues) => {
      store.values = { ...values };
    },
  };
  return store;
}

/** A Web Storage (the standalone dev pane): "this browser". */
export function storageOverridesStore(storage: Pick<Storage, 'getItem' | 'setItem'>, key: string): OverridesStore {
  return {
    where: 'this browser',
    load: async () => {
      const text = storage.getItem(key);
      if (!text) return {};
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return {};
      }
    },
    save: async (values) => storage.setItem(key, JSON.stringify(values)),
  };
}
