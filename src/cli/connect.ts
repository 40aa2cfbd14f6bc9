// Signs in to both services and opens what the engine runs on: the sides, the user's effective
// settings from the CRM, and the SQLite state keyed by CRM URL + user + mailbox.
import { CrmHttp } from '../crm/http';
import { CrmSettingsService } from '../crm/settings-service';
import { checkOroRelease } from '../crm/release-check';
import { CrmSide } from '../crm/side';
import { PasswordGrantTokens } from '../crm/tokens';
import { GraphDeviceCodeTokens, GraphHttp, GraphPasswordTokens, OutlookSide, type DeviceCodePrompt } from '../outlook';
import { mailboxOf } from '../outlook/mailbox';
import { effectiveSettings } from '../settings/scopes';
import type { OutlookSettings } from '../settings/options';
import type { SettingsStorage } from '../settings/service';
import { fileOverridesStore } from './settings-file';
import { openSqliteStore } from '../store/sqlite-store';
import type { SyncStore } from '../store/types';
import { MalformedResponseError } from '../sync/errors';
import type { RunnerArgs } from './args';
import { CrmLeaseBackend, CrmSharedState, detectLeaseSupport } from '../crm/lease-client';
import { SharedStateStore } from '../store/shared-state';
import { LocalLeaseBackend, SyncLease } from '../sync/lease';
import os from 'node:os';

export interface Connection {
  crm: CrmSide;
  outlook: OutlookSide;
  store: SyncStore;
  mailbox: string;
  settings: OutlookSettings;
  /** One writer per CRM URL + user + mailbox: shared through the CRM when it has our extension. */
  lease: SyncLease;
  /** Called when this runner begins a holding: the shared sync state replaces the local one. */
  takeOver(): Promise<void>;
  /** Called before this runner lets the lease go: the newest checkpoints go to the shared state. */
  handOver(): Promise<void>;
  /** Reads the user's saved settings again (effective values: user → organization → global → default). */
  loadSettings(): Promise<OutlookSettings>;
  /** Where the last read found them: the CRM, or (a stock Oro) the local settings file. */
  settingsStoredIn(): SettingsStorage;
}

/** Where the Graph emulator's token endpoint and API root are, from the --graph URL. */
export function graphEndpoints(graphUrl: string): { tokenUrl: string; apiRoot: string } {
  const origin = graphUrl.replace(/\/+$/, '').replace(/\/v1\.0$/, '');
  return { tokenUrl: `${origin}/common/oauth2/v2.0/token`, apiRoot: `${origin}/v1.0` };
}

export interface ConnectOptions {
  /** Shows the device-code sign-in message (the runner prints it). */
  prompt?: (p: DeviceCodePrompt) => void;
}

export async function connect(args: RunnerArgs, options: ConnectOptions = {}): Promise<Connection> {
  const crmTokens = new PasswordGrantTokens({ baseUrl: args.crmUrl, username: args.user, password: args.password, clientId: args.clientId, clientSecret: args.clientSecret });
  const crmHttp = new CrmHttp({ baseUrl: args.crmUrl, tokens: crmTokens });
  await crmTokens.accessToken(); // a wrong password fails here, before anything else
  const release = await checkOroRelease(crmHttp);
  if (release.ok === false) throw new Error(release.message); // too old: say which version, sync nothing
  const settingsService = new CrmSettingsService(crmHttp, 'user', fileOverridesStore(args.settingsFile));
  let settingsStoredIn: SettingsStorage = { kind: 'crm' };
  const loadSettings = async () => {
    const loaded = await settingsService.load();
    settingsStoredIn = loaded.storedIn;
    return effectiveSettings(loaded.settings);
  };
  const settings = await loadSettings();

  const { tokenUrl, apiRoot } = graphEndpoints(args.graphUrl);
  const graphTokens = args.deviceCode
    ? new GraphDeviceCodeTokens({ ...args.deviceCode, prompt: options.prompt ?? ((p) => console.log(p.message)) })
    : new GraphPasswordTokens({ tokenUrl, username: args.graphUser, password: args.graphPassword });
  const graphHttp = new GraphHttp({ baseUrl: apiRoot, tokens: graphTokens });
  await graphTokens.accessToken(); // sign in (or wait for the device-code sign-in) before anything else
  const mailbox = await mailboxOf(graphHttp, args.graphUser);

  const local = await openSqliteStore(args.stateFile, { crmUrl: args.crmUrl, crmUser: args.user, mailbox });
  const shared = await detectLeaseSupport(crmHttp, mailbox);
  const lease = new SyncLease({
    backend: shared ? new CrmLeaseBackend(crmHttp, mailbox) : new LocalLeaseBackend(),
    holderId: globalThis.crypto.randomUUID(),
    deviceLabel: args.device ?? `npm run sync on ${os.hostname()}`,
  });
  // With the extension the relations and checkpoints are shared too, so a handover needs no re-sync.
  const store = shared ? new SharedStateStore(local, new CrmSharedState(crmHttp, mailbox), () => lease.view()?.fencingToken ?? 0) : local;
  return {
    crm: new CrmSide({ http: crmHttp }),
    outlook: new OutlookSide({ http: graphHttp }),
    store,
    mailbox,
    settings,
    loadSettings,
    settingsStoredIn: () => settingsStoredIn,
    lease,
    takeOver: async () => void (store instanceof SharedStateStore && (await store.pull())),
    handOver: async () => void (store instanceof SharedStateStore && (await store.flush())),
  };
}
