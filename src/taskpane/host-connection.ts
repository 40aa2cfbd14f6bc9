// Builds the real CRM connection for the pane inside Outlook: the URL in roamingSettings, tokens in
// localStorage under the partition prefix, the Office dialog for sign-in, sync state cleared on Disconnect.
import { roamingConnectionStore, storageConnectionStore, type CrmUrlRules } from '../auth/connection';
import { clearCrmSyncState } from '../auth/connection-local-state';
import { ConnectionManager } from '../auth/connection-manager';
import { officeAuthDialog } from '../auth/office-dialog';
import { OUTLOOK_ADDIN_CLIENT_ID } from '../crm/tokens';
import { storageTokenVault } from '../auth/token-vault';
import { partitionPrefix } from './host-events';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

interface LocationLike {
  hostname: string;
  href: string;
}

/**
 * Dev mode: a development build, or the add-in itself served from this machine (npm start, the tests).
 * It allows an http CRM on localhost and the standalone demo outside Outlook.
 */
export function isDevMode(location: LocationLike = window.location): boolean {
  let developmentBuild = false;
  try {
    developmentBuild = process.env.NODE_ENV === 'development';
  } catch {
    developmentBuild = false;
  }
  return developmentBuild || LOOPBACK.has(location.hostname);
}

/** The folder the pane is served from; the dialog pages sit next to taskpane.html. */
export function addinBaseUrl(location: LocationLike = window.location): string {
  return new URL('.', location.href).toString();
}

/** The Oro OAuth client id from the build (webpack DefinePlugin), or Oro's demo id. */
export function crmClientIdFromBuild(): string {
  try {
    return process.env.ADDIN_CRM_CLIENT_ID || OUTLOOK_ADDIN_CLIENT_ID;
  } catch {
    return OUTLOOK_ADDIN_CLIENT_ID;
  }
}

function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage blocked: tokens then live for the pane's lifetime only
  }
}

export function createOutlookConnection(office: typeof Office, location: LocationLike = window.location): ConnectionManager {
  const prefix = partitionPrefix(office);
  const rules: CrmUrlRules = { allowLoopbackHttp: isDevMode(location) };
  const roaming = office.context?.roamingSettings;
  const manager = new ConnectionManager({
    store: roaming ? roamingConnectionStore(roaming) : storageConnectionStore(localStorageOrNull(), `${prefix}orocrm.crmUrl`),
    vault: storageTokenVault(localStorageOrNull(), prefix),
    dialog: officeAuthDialog(office),
    addinBaseUrl: addinBaseUrl(location),
    rules,
    clientId: crmClientIdFromBuild(),
    clearLocalState: (crmUrl) => clearCrmSyncState(crmUrl, { keyPrefix: prefix }),
  });
  // A pane reopened with kept tokens shows who it is connected as, without any prompt.
  void manager.loadUser();
  return manager;
}
