// The "MS Outlook Settings" form, laid out in the order of Oro's back-office page, rendered from SETTING_OPTIONS.
import * as React from 'react';
import { DefaultButton, MessageBar, MessageBarType, PrimaryButton, Spinner, SpinnerSize, Stack, Text } from '@fluentui/react';
import { SETTING_OPTIONS, type SettingOption } from '../../settings';
import type { SettingsService } from '../../settings/service';
import { canSave, fieldError, isDirty, type Banner } from '../settings-form-state';
import { useSettingsForm } from '../use-settings-form';
import { SettingField, USE_DEFAULT, USE_ORGANIZATION } from './SettingField';

export interface SettingsFormProps {
  settings: SettingsService;
  /** Called when the CRM no longer accepts the session. */
  onSignedOut?(message: string): void;
  /** How long the success message stays, in ms. */
  successMessageMs?: number;
}

export const HEADING = 'MS Outlook Settings';
/** A stock Oro has no MS Outlook settings (removed in Oro 4.1): say where the user's values go instead. */
export function storedOutsideCrmExplanation(where: string): string {
  return (
    `Stored in ${where}, not in OroCRM. This OroCRM has no MS Outlook Settings (the add-in's outlooksettings extension is not installed), ` +
    `so Oro's documented defaults apply and your own values are kept in ${where}. Sync runs with them as usual.`
  );
}

const BANNER_TYPES: Record<Banner['intent'], MessageBarType> = {
  success: MessageBarType.success,
  warning: MessageBarType.warning,
  error: MessageBarType.error,
};

/** Consecutive options sharing a group, in table order. */
function groups(): Array<{ name: SettingOption['group']; options: SettingOption[] }> {
  const out: Array<{ name: SettingOption['group']; options: SettingOption[] }> = [];
  for (const option of SETTING_OPTIONS) {
    const last = out[out.length - 1];
    if (last && last.name === option.group) last.options.push(option);
    else out.push({ name: option.group, options: [option] });
  }
  return out;
}

export function SettingsForm({ settings, onSignedOut, successMessageMs = 5000 }: SettingsFormProps): React.ReactElement {
  const form = useSettingsForm(settings, onSignedOut);
  const { state } = form;

  const { banner } = state;
  const { dismissBanner } = form;
  React.useEffect(() => {
    if (banner?.intent !== 'success') return undefined;
    const timer = setTimeout(dismissBanner, successMessageMs);
    return () => clearTimeout(timer);
  }, [banner, dismissBanner, successMessageMs]);

  const storedIn = state.loaded?.storedIn;
  const local = storedIn?.kind === 'local' ? storedIn : null;
  const saving = state.phase === 'saving';
  const locked = saving;

  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    void form.save();
  };

  return (
    <Stack tokens={{ childrenGap: 16 }} styles={{ root: { padding: 16, maxWidth: 560 } }}>
      <Text as="h1" variant="xLarge" styles={{ root: { margin: 0 } }}>
        {HEADING}
      </Text>

      {banner && (
        <MessageBar
          messageBarType={BANNER_TYPES[banner.intent]}
          onDismiss={dismissBanner}
          dismissButtonAriaLabel="Close message"
          isMultiline
        >
          {banner.text}
        </MessageBar>
      )}

      {state.phase === 'loading' && <Spinner size={SpinnerSize.large} label="Loading settings…" ariaLive="polite" />}

      {state.phase === 'load-failed' && (
        <Stack horizontal>
          <DefaultButton text="Try again" onClick={() => void form.reload()} />
        </Stack>
      )}

      {state.phase !== 'loading' && state.drafts && (
        <form onSubmit={onSubmit} aria-label={HEADING} noValidate>
          <Stack tokens={{ childrenGap: 20 }}>
            {local && <MessageBar messageBarType={MessageBarType.info}>{storedOutsideCrmExplanation(local.where)}</MessageBar>}
            {groups().map((group) => (
              <section key={group.name} role="group" aria-labelledby={`group-${group.name}`}>
                <Text as="h2" id={`group-${group.name}`} variant="large" styles={{ root: { margin: '0 0 8px' } }}>
                  {group.name}
                </Text>
                <Stack tokens={{ childrenGap: 16 }}>
                  {group.options.map((option) => (
                    <SettingField
                      key={option.key}
                      option={option}
                      draft={state.drafts![option.key]}
                      error={fieldError(state, option.key)}
                      locked={locked}
                      inheritLabel={local ? USE_DEFAULT : USE_ORGANIZATION}
                      onUseOrganization={(checked) => form.setUseOrganization(option.key, checked)}
                      onEdit={(value) => form.edit(option.key, value)}
                    />
                  ))}
                </Stack>
              </section>
            ))}
            <Stack horizontal tokens={{ childrenGap: 8 }}>
              <PrimaryButton type="submit" text={saving ? 'Saving…' : 'Save Settings'} disabled={!canSave(state)} />
              <DefaultButton text="Cancel" disabled={locked || !isDirty(state)} onClick={form.cancel} />
            </Stack>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
