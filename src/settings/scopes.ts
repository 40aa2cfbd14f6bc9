// Scope resolution: user → organization → global → default. A scope that stores nothing inherits.
import { DEFAULT_SETTINGS, SETTING_KEYS, type OutlookSettings, type SettingKey, type SettingValue } from './options';

export type Scope = 'user' | 'organization' | 'global';
export type ValueSource = Scope | 'default';

export const SCOPES: ReadonlyArray<Scope> = ['user', 'organization', 'global'];

/** What each scope stores of its own; a missing key means "use the parent scope". */
export type StoredValues = Partial<Record<SettingKey, SettingValue>>;
export type ScopeChain = Partial<Record<Scope, StoredValues>>;

export interface ResolvedSetting<V = SettingValue> {
  value: V;
  /** True when this scope stores nothing of its own. */
  useParentScope: boolean;
  parentValue: V;
  parentScope: ValueSource;
}

export type ResolvedSettings = { [K in SettingKey]: ResolvedSetting<OutlookSettings[K]> };

/** The scopes above `scope`, nearest first. */
export function parentScopes(scope: Scope): Scope[] {
  return SCOPES.slice(SCOPES.indexOf(scope) + 1);
}

export function isScope(s: string): s is Scope {
  return (SCOPES as ReadonlyArray<string>).includes(s);
}

/** Value and origin of one key as seen from `scope`, looking only at that scope's parents. */
export function inherited(key: SettingKey, scope: Scope, chain: ScopeChain): { value: SettingValue; source: ValueSource } {
  for (const parent of parentScopes(scope)) {
    const stored = chain[parent]?.[key];
    if (stored !== undefined) return { value: stored, source: parent };
  }
  return { value: DEFAULT_SETTINGS[key], source: 'default' };
}

export function resolveSetting(key: SettingKey, scope: Scope, chain: ScopeChain): ResolvedSetting {
  const parent = inherited(key, scope, chain);
  const own = chain[scope]?.[key];
  return {
    value: own !== undefined ? own : parent.value,
    useParentScope: own === undefined,
    parentValue: parent.value,
    parentScope: parent.source,
  };
}

export function resolveSettings(scope: Scope, chain: ScopeChain): ResolvedSettings {
  return Object.fromEntries(SETTING_KEYS.map((k) => [k, resolveSetting(k, scope, chain)])) as unknown as ResolvedSettings;
}

/** The effective values a user's sync runs with. */
export function effectiveSettings(resolved: ResolvedSettings): OutlookSettings {
  return Object.fromEntries(SETTING_KEYS.map((k) => [k, resolved[k].value])) as unknown as OutlookSettings;
}
