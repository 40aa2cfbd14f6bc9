// Builds the real CRM connection for the pane inside Outlook: the URL in roamingSettings, tokens in
// localStorage under the partition prefix, the Office dialog for sign-in, sync state cleared on Disconnect.
import { buildValue } from '../auth/build-value';
import { isLoopbackHost, roamingConnectionStore, storageConnectionStore, type CrmUrlRules } from '../auth/connection';
import { clearCrmSyncState } from '../auth/connection-local-state';
import { buildCrmOrigin } from '../auth/dev-config';
import { ConnectionManager } from '../auth/connection-manager';
import { officeAuthDialog } from '../auth/office-dialog';
import { OUTLOOK_ADDIN_CLIENT_ID } from '../crm/tokens';
import { storageTokenVault } from '../auth/token-vault';
import { createGraphAuth, naaSupported } from '../auth/graph-msal';
import { graphBaseUrl, graphClientId } from '../auth/graph-msal-config';
import { GraphSession } from '../auth/graph-msal-session';
import type { CrmSession } from '../auth/types';
import { normalizeMailbox } from '../outlook/mailbox';
import { browserWakeSource, partitionPrefix, schedulerNetwork, type WakeSource } from './host-events';
import { roamingOverridesStore } from './office-host';
import {
  createSyncRuntime,
  defaultSyncParts,
  paneDeviceLabel,
  SchedulerLoop,
  UNAVAILABLE_NO_OUTLOOK,
  unavailableSyncRuntime,
  type SyncConnection,
  type SyncRuntime,
} from './sync-runtime';

interface LocationLike {
  hostname: string;
  href: string;
}

/**
 * Dev mode: a development build, or the add-in itself served from this machine (npm start, the tests).
 * It allows an http CRM on localhost and the standalone demo outside Outlook.
 */
export function isDevMode(location: LocationLike = window.location): boolean {
  const developmentBuild = buildValue(() => process.env.NODE_ENV) === 'development';
  return developmentBuild || isLoopbackHost(location.hostname);
}

/** The folder the pane is served from; the dialog pages sit next to taskpane.html. */
export function addinBaseUrl(location: LocationLike = window.location): string {
  return new URL('.', location.href).toString();
}

/** The Oro OAuth client id from the build (webpack DefinePlugin), or Oro's demo id. */
export function crmClientIdFromBuild(): string {
  return buildValue(() => process.env.ADDIN_CRM_CLIENT_ID) || OUTLOOK_ADDIN_CLIENT_ID;
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
  const dev = isDevMode(location);
  // Production: only the build's CRM, the one origin its Content-Security-Policy lets the pane reach.
  const rules: CrmUrlRules = dev ? { allowLoopbackHttp: true } : { allowLoopbackHttp: false, allowedOrigins: [buildCrmOrigin()].filter((o): o is string => o !== null) };
  const roaming = office.context?.roamingSettings;
  const manager = new ConnectionManager({
    store: roaming ? roamingConnectionStore(roaming) : storageConnectionStore(localStorageOrNull(), `${prefix}orocrm.crmUrl`),
    vault: storageTokenVault(localStorageOrNull(), prefix),
    dialog: officeAuthDialog(office),
    addinBaseUrl: addinBaseUrl(location),
    rules,
    clientId: crmClientIdFromBuild(),
    settingsOverrides: roaming ? roamingOverridesStore(roaming) : undefined,
    clearLocalState: (crmUrl) => clearCrmSyncState(crmUrl, { keyPrefix: prefix }),
  });
  // A pane reopened with kept tokens shows who it is connected as, without any prompt.
  void manager.loadUser();
  return manager;
}

/** Microsoft 365 sign-in for the pane: NAA where Outlook has it, else the Office-dialog fallback. */
export async function createOutlookGraphSession(office: typeof Office, location: LocationLike = window.location): Promise<GraphSession> {
  const clientId = graphClientId();
  if (!clientId) return new GraphSession(null, 'Microsoft 365 sign-in is not configured for this add-in (ADDIN_GRAPH_CLIENT_ID at build time); contacts, tasks and events cannot sync.');
  try {
    const auth = await createGraphAuth({ clientId, addinBaseUrl: addinBaseUrl(location) }, { naaSupported: naaSupported(office), dialog: officeAuthDialog(office) });
    const session = new GraphSession(auth);
    void session.check();
    return session;
  } catch (error) {
    return new GraphSession(null, `Microsoft 365 sign-in could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The mailbox whose items sync (Office's user profile), or null outside Outlook. */
export function mailboxAddress(office: typeof Office | undefined): string | null {
  const address = office?.context?.mailbox?.userProfile?.emailAddress;
  return typeof address === 'string' && address.trim() ? normalizeMailbox(address) : null;
}

/**
 * The sync runtime of a real session: the CRM through the OAuth tokens, Graph through MSAL (silent; a
 * needed prompt shows as the Microsoft 365 Sign-in button), state in IndexedDB under the partition key,
 * and a scheduler woken by visibility and network changes. An ItemChanged never reaches it.
 */
export function outlookSyncRuntimeFactory(
  manager: Pick<ConnectionManager, 'tokens'>,
  graph: GraphSession,
  office: typeof Office,
  /** The pane's wake-ups (browserWakeSource by default; tests pass their own). */
  wake: () => WakeSource = () => browserWakeSource(),
): (session: CrmSession) => SyncRuntime {
  return (session) => {
    const tokens = manager.tokens();
    const mailbox = mailboxAddress(office);
    if (!tokens || !mailbox) return unavailableSyncRuntime(UNAVAILABLE_NO_OUTLOOK);
    if (graph.view().kind === 'unavailable') {
      const view = graph.view();
      return unavailableSyncRuntime(view.kind === 'unavailable' ? view.message : UNAVAILABLE_NO_OUTLOOK);
    }
    const connection: SyncConnection = {
      identity: { crmUrl: session.crmUrl, crmUser: session.username, mailbox },
      crm: { baseUrl: session.crmUrl, tokens },
      graph: { baseUrl: graphBaseUrl(), tokens: graph.tokens },
    };
    const network = schedulerNetwork(wake());
    return createSyncRuntime(connection, {
      ...defaultSyncParts(connection, {
        keyPrefix: partitionPrefix(office),
        deviceLabel: paneDeviceLabel(office.context?.diagnostics?.platform as unknown as string | undefined, globalThis.navigator?.userAgent),
      }),
      loop: (engine, settings) => new SchedulerLoop(engine, settings, { network }),
    });
  };
}
