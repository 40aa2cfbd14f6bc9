// The seven MS Outlook Settings, as OroCRM defines them (System Configuration > Integrations > MS Outlook Settings).
// Pure data: the emulator, the CRM client and the pane all read this one table.

export const SETTINGS_PREFIX = 'oro_crm_pro_outlook.';

export type SyncDirection = 'OroCRMToOutlook' | 'OutlookToOroCRM' | 'Both';
export type ConflictResolution = 'OroCRMAlwaysWins' | 'OutlookAlwaysWins';

export interface OutlookSettings {
  contacts_sync_direction: SyncDirection;
  contacts_conflict_resolution: ConflictResolution;
  contacts_sync_interval_orocrm: number;
  contacts_sync_interval_outlook: number;
  contacts_enabled: boolean;
  tasks_enabled: boolean;
  calendar_events_enabled: boolean;
}

export type SettingKey = keyof OutlookSettings;
export type SettingValue = OutlookSettings[SettingKey];

export interface Choice<V extends string> {
  value: V;
  label: string;
}

interface OptionBase<K extends SettingKey> {
  key: K;
  label: string;
  help: string;
  /** The heading the option sits under on Oro's page. */
  group: 'Sync' | 'Synchronization';
  default: OutlookSettings[K];
}

export interface ChoiceOption<K extends SettingKey, V extends string> extends OptionBase<K> {
  type: 'choice';
  choices: ReadonlyArray<Choice<V>>;
}

export interface IntegerOption<K extends SettingKey> extends OptionBase<K> {
  type: 'integer';
  min: number;
  max: number;
  unit: string;
}

export interface BooleanOption<K extends SettingKey> extends OptionBase<K> {
  type: 'boolean';
}

export type SettingOption =
  | ChoiceOption<'contacts_sync_direction', SyncDirection>
  | ChoiceOption<'contacts_conflict_resolution', ConflictResolution>
  | IntegerOption<'contacts_sync_interval_orocrm' | 'contacts_sync_interval_outlook'>
  | BooleanOption<'contacts_enabled' | 'tasks_enabled' | 'calendar_events_enabled'>;

export const INTERVAL_MIN = 1;
export const INTERVAL_MAX = 86399;

/** In the order of Oro's back-office page. */
export const SETTING_OPTIONS: ReadonlyArray<SettingOption> = [
  {
    key: 'contacts_sync_direction',
    type: 'choice',
    group: 'Sync',
    label: 'Sync Direction',
    help: 'The data synchronization direction',
    default: 'Both',
    choices: [
      { value: 'OroCRMToOutlook', label: 'OroCRM to Outlook' },
      { value: 'OutlookToOroCRM', label: 'Outlook to OroCRM' },
      { value: 'Both', label: 'Bidirectional' },
    ],
  },
  {
    key: 'contacts_conflict_resolution',
    type: 'choice',
    group: 'Sync',
    label: 'Conflict Resolution',
    help: 'Conflict resolution strategy to be used if the same data are changed in both Outlook and OroCRM',
    default: 'OroCRMAlwaysWins',
    choices: [
      { value: 'OroCRMAlwaysWins', label: 'OroCRM always wins' },
      { value: 'OutlookAlwaysWins', label: 'Outlook always wins' },
    ],
  },
  {
    key: 'contacts_sync_interval_orocrm',
    type: 'integer',
    group: 'Sync',
    label: 'CRM Sync Interval (In Seconds)',
    help: 'How often changes on the CRM side are checked',
    default: 120,
    min: INTERVAL_MIN,
    max: INTERVAL_MAX,
    unit: 'seconds',
  },
  {
    key: 'contacts_sync_interval_outlook',
    type: 'integer',
    group: 'Sync',
    label: 'Outlook Sync Interval (In Seconds)',
    help: 'How often changes on Outlook side are checked',
    default: 30,
    min: INTERVAL_MIN,
    max: INTERVAL_MAX,
    unit: 'seconds',
  },
  {
    key: 'contacts_enabled',
    type: 'boolean',
    group: 'Synchronization',
    label: 'Contacts',
    help: 'Synchronize contacts',
    default: true,
  },
  {
    key: 'tasks_enabled',
    type: 'boolean',
    group: 'Synchronization',
    label: 'Tasks',
    help: 'Synchronize tasks',
    default: true,
  },
  {
    key: 'calendar_events_enabled',
    type: 'boolean',
    group: 'Synchronization',
    label: 'Calendar Events',
    help: 'Synchronize calendar events',
    default: true,
  },
];

export const SETTING_KEYS: ReadonlyArray<SettingKey> = SETTING_OPTIONS.map((o) => o.key);

export const DEFAULT_SETTINGS: OutlookSettings = Object.fromEntries(
  SETTING_OPTIONS.map((o) => [o.key, o.default]),
) as unknown as OutlookSettings;

export function optionFor(key: SettingKey): SettingOption {
  const option = SETTING_OPTIONS.find((o) => o.key === key);
  if (!option) throw new Error(`Unknown setting "${key}"`);
  return option;
}

export function isSettingKey(key: string): key is SettingKey {
  return (SETTING_KEYS as ReadonlyArray<string>).includes(key);
}

/** The name Oro uses in its configuration tree, e.g. `oro_crm_pro_outlook.contacts_enabled`. */
export function configName(key: SettingKey): string {
  return SETTINGS_PREFIX + key;
}

/** The label the pane shows for a value, e.g. "Bidirectional" for `Both`. */
export function displayValue(key: SettingKey, value: SettingValue): string {
  const option = optionFor(key);
  if (option.type === 'choice') {
    return (option.choices as ReadonlyArray<Choice<string>>).find((c) => c.value === value)?.label ?? String(value);
  }
  if (option.type === 'boolean') return value ? 'Yes' : 'No';
  return `${value} ${option.unit}`;
}
