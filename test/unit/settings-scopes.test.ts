import {
  DEFAULT_SETTINGS,
  effectiveSettings,
  inherited,
  parentScopes,
  resolveSetting,
  resolveSettings,
  SETTING_KEYS,
  type Scope,
  type ScopeChain,
  type ValueSource,
} from '../../src/settings';

// Distinct values per scope so every answer names its origin.
const KEY = 'contacts_sync_interval_outlook';
const VALUE: Record<ValueSource, number> = { user: 11, organization: 22, global: 33, default: DEFAULT_SETTINGS[KEY] };

function chainWith(stored: Scope[]): ScopeChain {
  return Object.fromEntries(stored.map((s) => [s, { [KEY]: VALUE[s] }])) as ScopeChain;
}

type Cell = [Scope, Scope[], { value: ValueSource; useParentScope: boolean; parentScope: ValueSource }];

// Every combination of "stores a value of its own" at user / organization / global, seen from each scope.
const CELLS: Cell[] = [
  ['user', [], { value: 'default', useParentScope: true, parentScope: 'default' }],
  ['user', ['global'], { value: 'global', useParentScope: true, parentScope: 'global' }],
  ['user', ['organization'], { value: 'organization', useParentScope: true, parentScope: 'organization' }],
  ['user', ['organization', 'global'], { value: 'organization', useParentScope: true, parentScope: 'organization' }],
  ['user', ['user'], { value: 'user', useParentScope: false, parentScope: 'default' }],
  ['user', ['user', 'global'], { value: 'user', useParentScope: false, parentScope: 'global' }],
  ['user', ['user', 'organization'], { value: 'user', useParentScope: false, parentScope: 'organization' }],
  ['user', ['user', 'organization', 'global'], { value: 'user', useParentScope: false, parentScope: 'organization' }],
  ['organization', [], { value: 'default', useParentScope: true, parentScope: 'default' }],
  ['organization', ['global'], { value: 'global', useParentScope: true, parentScope: 'global' }],
  ['organization', ['organization'], { value: 'organization', useParentScope: false, parentScope: 'default' }],
  ['organization', ['organization', 'global'], { value: 'organization', useParentScope: false, parentScope: 'global' }],
  ['organization', ['user'], { value: 'default', useParentScope: true, parentScope: 'default' }],
  ['organization', ['user', 'global'], { value: 'global', useParentScope: true, parentScope: 'global' }],
  ['organization', ['user', 'organization'], { value: 'organization', useParentScope: false, parentScope: 'default' }],
  ['organization', ['user', 'organization', 'global'], { value: 'organization', useParentScope: false, parentScope: 'global' }],
  ['global', [], { value: 'default', useParentScope: true, parentScope: 'default' }],
  ['global', ['global'], { value: 'global', useParentScope: false, parentScope: 'default' }],
  ['global', ['organization'], { value: 'default', useParentScope: true, parentScope: 'default' }],
  ['global', ['organization', 'global'], { value: 'global', useParentScope: false, parentScope: 'default' }],
  ['global', ['user'], { value: 'default', useParentScope: true, parentScope: 'default' }],
  ['global', ['user', 'global'], { value: 'global', useParentScope: false, parentScope: 'default' }],
  ['global', ['user', 'organization'], { value: 'default', useParentScope: true, parentScope: 'default' }],
  ['global', ['user', 'organization', 'global'], { value: 'global', useParentScope: false, parentScope: 'default' }],
];

describe('scope resolution user → organization → global → default', () => {
  test.each(CELLS)('seen from %s with values stored at %j', (scope, stored, expected) => {
    expect(resolveSetting(KEY, scope, chainWith(stored))).toEqual({
      value: VALUE[expected.value],
      useParentScope: expected.useParentScope,
      parentValue: VALUE[expected.parentScope],
      parentScope: expected.parentScope,
    });
  });

  test('the parents of each scope, nearest first', () => {
    expect(parentScopes('user')).toEqual(['organization', 'global']);
    expect(parentScopes('organization')).toEqual(['global']);
    expect(parentScopes('global')).toEqual([]);
  });

  test('with nothing stored, all seven keys resolve to their defaults from the default scope', () => {
    const resolved = resolveSettings('user', {});
    for (const key of SETTING_KEYS) {
      expect(resolved[key]).toEqual({ value: DEFAULT_SETTINGS[key], useParentScope: true, parentValue: DEFAULT_SETTINGS[key], parentScope: 'default' });
    }
    expect(effectiveSettings(resolved)).toEqual(DEFAULT_SETTINGS);
  });

  test('a stored false is a value of its own, not "nothing stored"', () => {
    const r = resolveSetting('tasks_enabled', 'user', { user: { tasks_enabled: false }, organization: { tasks_enabled: true } });
    expect(r).toEqual({ value: false, useParentScope: false, parentValue: true, parentScope: 'organization' });
  });

  test('keys resolve independently', () => {
    const resolved = resolveSettings('user', { user: { contacts_enabled: false }, global: { contacts_sync_direction: 'OroCRMToOutlook' } });
    expect(effectiveSettings(resolved)).toEqual({ ...DEFAULT_SETTINGS, contacts_enabled: false, contacts_sync_direction: 'OroCRMToOutlook' });
    expect(inherited('contacts_sync_direction', 'user', { global: { contacts_sync_direction: 'OroCRMToOutlook' } })).toEqual({ value: 'OroCRMToOutlook', source: 'global' });
  });
});
