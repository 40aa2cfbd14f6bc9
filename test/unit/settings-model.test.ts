import {
  configName,
  DEFAULT_SETTINGS,
  displayValue,
  INTERVAL_MAX,
  INTERVAL_MIN,
  isSettingKey,
  optionFor,
  SETTING_KEYS,
  SETTING_OPTIONS,
  validateSetting,
  validateSettings,
} from '../../src/settings';

describe('the MS Outlook settings model', () => {
  test('defines the seven options in the order of Oro\'s back-office page', () => {
    expect(SETTING_KEYS).toEqual([
      'contacts_sync_direction',
      'contacts_conflict_resolution',
      'contacts_sync_interval_orocrm',
      'contacts_sync_interval_outlook',
      'contacts_enabled',
      'tasks_enabled',
      'calendar_events_enabled',
    ]);
  });

  test.each([
    ['contacts_sync_direction', 'Both'],
    ['contacts_conflict_resolution', 'OroCRMAlwaysWins'],
    ['contacts_sync_interval_orocrm', 120],
    ['contacts_sync_interval_outlook', 30],
    ['contacts_enabled', true],
    ['tasks_enabled', true],
    ['calendar_events_enabled', true],
  ] as const)('%s defaults to %p', (key, expected) => {
    expect(DEFAULT_SETTINGS[key]).toBe(expected);
    expect(optionFor(key).default).toBe(expected);
  });

  test('labels and choice labels are the ones Oro shows', () => {
    expect(SETTING_OPTIONS.map((o) => o.label)).toEqual([
      'Sync Direction',
      'Conflict Resolution',
      'CRM Sync Interval (In Seconds)',
      'Outlook Sync Interval (In Seconds)',
      'Contacts',
      'Tasks',
      'Calendar Events',
    ]);
    const direction = optionFor('contacts_sync_direction');
    const conflict = optionFor('contacts_conflict_resolution');
    expect(direction.type === 'choice' && direction.choices.map((c) => c.label)).toEqual(['OroCRM to Outlook', 'Outlook to OroCRM', 'Bidirectional']);
    expect(conflict.type === 'choice' && conflict.choices.map((c) => c.label)).toEqual(['OroCRM always wins', 'Outlook always wins']);
  });

  test('every option has help text and the three booleans sit under "Synchronization"', () => {
    for (const o of SETTING_OPTIONS) expect(o.help.length).toBeGreaterThan(5);
    expect(SETTING_OPTIONS.filter((o) => o.group === 'Synchronization').map((o) => o.key)).toEqual(['contacts_enabled', 'tasks_enabled', 'calendar_events_enabled']);
  });

  test('config names carry Oro\'s oro_crm_pro_outlook prefix', () => {
    expect(configName('contacts_enabled')).toBe('oro_crm_pro_outlook.contacts_enabled');
  });

  test('display values use the UI labels', () => {
    expect(displayValue('contacts_sync_direction', 'Both')).toBe('Bidirectional');
    expect(displayValue('tasks_enabled', false)).toBe('No');
    expect(displayValue('contacts_sync_interval_outlook', 45)).toBe('45 seconds');
  });

  test('isSettingKey knows exactly the seven keys', () => {
    expect(SETTING_KEYS.every(isSettingKey)).toBe(true);
    expect(isSettingKey('contacts_sync_intervall')).toBe(false);
  });
});

describe('settings validation (as Oro validates)', () => {
  test.each([INTERVAL_MIN, 45, INTERVAL_MAX])('an interval of %p seconds is accepted', (n) => {
    expect(validateSetting('contacts_sync_interval_outlook', n)).toEqual({ ok: true, value: n });
  });

  test('a digit string from a form field is accepted as an integer', () => {
    expect(validateSetting('contacts_sync_interval_orocrm', '90')).toEqual({ ok: true, value: 90 });
  });

  test.each([0, -1, INTERVAL_MAX + 1])('an interval of %p is a range constraint with a readable message', (n) => {
    const r = validateSetting('contacts_sync_interval_outlook', n);
    expect(r).toEqual({
      ok: false,
      problem: { key: 'contacts_sync_interval_outlook', title: 'range constraint', message: 'Outlook Sync Interval (In Seconds): this value should be between 1 and 86399.' },
    });
  });

  test.each([1.5, 'abc', true])('a non-integer interval (%p) asks for a whole number of seconds', (raw) => {
    const r = validateSetting('contacts_sync_interval_orocrm', raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.message).toBe('CRM Sync Interval (In Seconds): enter a whole number of seconds from 1 to 86399.');
  });

  test.each([null, undefined, ''])('a blank value (%p) is a not blank constraint', (raw) => {
    const r = validateSetting('contacts_sync_direction', raw);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.title).toBe('not blank constraint');
      expect(r.problem.message).toBe('Sync Direction: this value should not be blank.');
    }
  });

  test('an unknown choice is a value constraint that lists the valid choices', () => {
    const r = validateSetting('contacts_conflict_resolution', 'CoinFlip');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.title).toBe('value constraint');
      expect(r.problem.message).toContain('Conflict Resolution: the value you selected is not a valid choice.');
      expect(r.problem.message).toContain('"OutlookAlwaysWins" (Outlook always wins)');
    }
  });

  test('every valid choice is accepted', () => {
    for (const v of ['OroCRMToOutlook', 'OutlookToOroCRM', 'Both']) expect(validateSetting('contacts_sync_direction', v).ok).toBe(true);
  });

  test('a boolean option refuses "yes"', () => {
    const r = validateSetting('contacts_enabled', 'yes');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.message).toBe('Contacts: this value should be true or false.');
  });

  test('an unknown key is an extra fields constraint', () => {
    const r = validateSetting('colour', 'blue');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toEqual({ key: 'colour', title: 'extra fields constraint', message: '"colour" is not an MS Outlook setting.' });
  });

  test('validateSettings reports every problem, not only the first', () => {
    const r = validateSettings({ contacts_sync_interval_outlook: 0, contacts_enabled: 'no', tasks_enabled: false, nope: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.key)).toEqual(['contacts_sync_interval_outlook', 'contacts_enabled', 'nope']);
  });

  test('validateSettings returns the normalised values when all are valid', () => {
    expect(validateSettings({ contacts_sync_interval_outlook: '45', tasks_enabled: false })).toEqual({
      ok: true,
      values: { contacts_sync_interval_outlook: 45, tasks_enabled: false },
    });
  });
});
