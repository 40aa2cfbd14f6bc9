// The pane inside Outlook: the connect screen, and once signed in the settings of the connected CRM.
import * as React from 'react';
import type { SettingsService } from '../../settings/service';
import { ConnectScreen, type ConnectController } from './ConnectScreen';
import { SettingsForm } from './SettingsForm';

export interface ConnectPaneProps {
  controller: ConnectController & { settings(): SettingsService | null };
  suggestedCrmUrl?: string;
}

export function ConnectPane({ controller, suggestedCrmUrl }: ConnectPaneProps): React.ReactElement {
  // A refused token shows up as "sign in" through the controller; the form needs no sign-out path of its own.
  const signedIn = () => {
    const settings = controller.settings();
    return settings ? <SettingsForm settings={settings} /> : null;
  };
  return <ConnectScreen controller={controller} suggestedCrmUrl={suggestedCrmUrl} signedIn={signedIn} />;
}
