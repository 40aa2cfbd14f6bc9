// One option row: its control, the "Use Organization" box beside it, help text and any error under it.
import * as React from 'react';
import { Checkbox, ChoiceGroup, Stack, Text, TextField, type IChoiceGroupOption } from '@fluentui/react';
import type { Choice, SettingOption } from '../../settings';
import type { Draft, DraftValue } from '../settings-form-state';

export interface SettingFieldProps {
  option: SettingOption;
  draft: Draft;
  error: string | undefined;
  /** The whole row is locked (a save in flight). */
  locked: boolean;
  /** The box's words: "Use Organization" (the CRM keeps the values), "Use Default" on a stock Oro. */
  inheritLabel?: string;
  onUseOrganization(checked: boolean): void;
  onEdit(value: DraftValue): void;
}

export const USE_ORGANIZATION = 'Use Organization';
/** On a stock Oro there is no organization value: the box means Oro's documented default. */
export const USE_DEFAULT = 'Use Default';

export function useOrganizationName(option: SettingOption, inheritLabel = USE_ORGANIZATION): string {
  return `${inheritLabel}: ${option.label}`;
}

const ids = (option: SettingOption) => ({
  control: `setting-${option.key}`,
  help: `setting-${option.key}-help`,
  error: `setting-${option.key}-error`,
});

export function SettingField({ option, draft, error, locked, inheritLabel = USE_ORGANIZATION, onUseOrganization, onEdit }: SettingFieldProps): React.ReactElement {
  const id = ids(option);
  const disabled = locked || draft.useOrganization;
  const describedBy = [id.help, error ? id.error : null].filter(Boolean).join(' ');

  let control: React.ReactElement;
  let errorShownByControl = false;
  switch (option.type) {
    case 'choice': {
      const choices: IChoiceGroupOption[] = (option.choices as ReadonlyArray<Choice<string>>).map((c) => ({
        key: c.value,
        text: c.label,
        // ChoiceGroup does not forward aria-describedby to its radiogroup, so each radio carries it.
        'aria-describedby': describedBy,
      }));
      control = (
        <ChoiceGroup
          id={id.control}
          label={option.label}
          options={choices}
          selectedKey={String(draft.value)}
          disabled={disabled}
          onChange={(_e, picked) => picked && onEdit(String(picked.key))}
        />
      );
      break;
    }
    case 'integer':
      errorShownByControl = true;
      control = (
        <TextField
          id={id.control}
          label={option.label}
          type="number"
          inputMode="numeric"
          min={option.min}
          max={option.max}
          step={1}
          suffix={option.unit}
          value={String(draft.value)}
          disabled={disabled}
          required={!disabled}
          description={option.help}
          errorMessage={error}
          onChange={(_e, text) => onEdit(text ?? '')}
        />
      );
      break;
    case 'boolean':
      control = (
        <Checkbox
          id={id.control}
          label={option.label}
          checked={draft.value === true}
          disabled={disabled}
          ariaDescribedBy={describedBy}
          onChange={(_e, checked) => onEdit(!!checked)}
        />
      );
      break;
  }

  return (
    <Stack tokens={{ childrenGap: 4 }} data-setting={option.key}>
      <Stack horizontal horizontalAlign="space-between" verticalAlign="start" tokens={{ childrenGap: 12 }}>
        <Stack.Item grow>{control}</Stack.Item>
        <Stack.Item styles={{ root: { paddingTop: option.type === 'boolean' ? 0 : 32, flexShrink: 0 } }}>
          <Checkbox
            label={inheritLabel}
            ariaLabel={useOrganizationName(option, inheritLabel)}
            title={
              inheritLabel === USE_DEFAULT
                ? `Use Oro's default for ${option.label}`
                : `Use the value inherited from the organization for ${option.label}`
            }
            checked={draft.useOrganization}
            disabled={locked}
            onChange={(_e, checked) => onUseOrganization(!!checked)}
          />
        </Stack.Item>
      </Stack>
      {/* TextField renders its own help and error (wired to aria-describedby); other controls get them here. */}
      {option.type !== 'integer' && (
        <Text id={id.help} variant="small" styles={{ root: { color: '#605e5c' } }}>
          {option.help}
        </Text>
      )}
      {error && !errorShownByControl && (
        <Text id={id.error} role="alert" variant="small" styles={{ root: { color: '#a4262c' } }}>
          {error}
        </Text>
      )}
    </Stack>
  );
}
