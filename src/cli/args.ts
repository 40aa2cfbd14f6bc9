import { defaultSettingsFile } from './settings-file';

// Command-line arguments of the headless runner (`npm run sync -- ...`). Bad input is refused here with
// a message that names the flag, so the rest of the runner only sees a complete, valid RunnerArgs.

export interface RunnerArgs {
  /** OroCRM base URL, e.g. http://127.0.0.1:4100. */
  crmUrl: string;
  /** Graph root: the emulator's origin (http://127.0.0.1:4200) or its /v1.0 root. */
  graphUrl: string;
  user: string;
  password: string;
  /** The confidential password-grant OAuth application in Oro (docs/setup.md, step 3). */
  clientId: string;
  clientSecret: string;
  /** Graph sign-in; the CRM user and password unless given. */
  graphUser: string;
  graphPassword: string;
  /** SQLite file holding the sync state. */
  stateFile: string;
  /** The user's own settings when the CRM has no outlooksettings extension (a stock Oro). */
  settingsFile: string;
  once: boolean;
  /** Seconds between settings re-reads while nothing is enabled (default 60). */
  settingsPollSeconds: number;
  /** Shown to other engines on the mailbox while this one holds the sync lease. */
  device?: string;
  /** Graph sign-in with the device code flow (a real Microsoft 365 tenant) instead of the emulator's password grant. */
  deviceCode?: { authority: string; tenant: string; clientId: string };
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: npm run sync -- --crm <url> --graph <url> --user <name> --password <pw> --client-id <id> --client-secret <secret> --state <file> [--once]

Runs the OroCRM ⇄ Outlook sync without the pane, with the user's saved MS Outlook Settings from the CRM
(on a stock Oro: Oro's defaults and the values in --settings).

  --crm <url>             OroCRM base URL (e.g. http://127.0.0.1:4100 for the emulator)
  --graph <url>           Graph emulator URL (e.g. http://127.0.0.1:4200)
  --user <name>           OroCRM user name (also the Graph user unless --graph-user)
  --password <pw>         OroCRM password (also the Graph password unless --graph-password)
  --client-id <id>        Oro OAuth application with the Password grant (or env ORO_CLIENT_ID)
  --client-secret <s>     its client secret (or env ORO_CLIENT_SECRET; the environment keeps it
                          out of the process list). The emulator's demo one: outlook-sync-runner /
                          demo-runner-secret
  --graph-user <name>     Graph user name, if it differs
  --graph-password <pw>   Graph password, if it differs
  --state <file>          SQLite file for the sync state (created if missing)
  --settings <file>       your own MS Outlook Settings when the CRM is a stock Oro without the
                          outlooksettings extension (JSON; default <state without extension>.settings.json)
  --once                  one CRM cycle, then one Outlook cycle, then exit (0 = success)
  --device <label>        how other panes name this runner while it syncs (default "npm run sync on <host>")
  --settings-poll <s>     while nothing is enabled, re-read settings every <s> seconds (default 60)
  --device-code           sign in to Microsoft 365 with a device code: prints the page to open and the
                          code to enter there, then waits for that sign-in (a real tenant; no Graph password)
  --graph-client-id <id>  with --device-code: the app registration's client id (public client flows
                          allowed; or env GRAPH_CLIENT_ID)
  --tenant <t>            with --device-code: tenant id or domain (default organizations)
  --authority <url>       with --device-code: the sign-in service (default https://login.microsoftonline.com
                          for https://graph.microsoft.com, else the --graph origin: the emulator)
  --help                  this text

Without --once it syncs on the saved intervals until Ctrl-C, which stops it between writes.
Without --device-code, Graph sign-in uses the password grant, which only the emulator allows.
For Microsoft 365: --graph https://graph.microsoft.com --device-code --graph-client-id <app id> --tenant <tenant>.`;

/** The longest delay Node's timers keep (2^31 - 1 ms), in whole seconds. */
const MAX_POLL_SECONDS = Math.floor(0x7fffffff / 1000);

const VALUE_FLAGS = ['crm', 'graph', 'user', 'password', 'client-id', 'client-secret', 'graph-user', 'graph-password', 'state', 'settings', 'settings-poll', 'device', 'graph-client-id', 'tenant', 'authority'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/** Parses argv (without node and script). Throws UsageError; `--help` throws one with an empty message. */
export function parseArgs(argv: ReadonlyArray<string>, env: Record<string, string | undefined> = process.env): RunnerArgs {
  const values = new Map<ValueFlag, string>();
  let once = false;
  let deviceCode = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    if (arg === '--once') {
      once = true;
      continue;
    }
    if (arg === '--device-code') {
      deviceCode = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!(VALUE_FLAGS as ReadonlyArray<string>).includes(name)) throw new UsageError(`unknown flag --${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    values.set(name as ValueFlag, value);
  }
  const required = (name: ValueFlag): string => {
    const v = values.get(name)?.trim();
    if (!v) throw new UsageError(`--${name} is required`);
    return v;
  };
  const url = (name: ValueFlag): string => {
    const text = required(name);
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw new UsageError(`--${name} needs an http(s) URL, got "${text}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--${name} needs an http(s) URL, got "${text}"`);
    return text.replace(/\/+$/, '');
  };
  const pollText = values.get('settings-poll');
  const settingsPollSeconds = pollText === undefined ? 60 : Number(pollText);
  // setInterval fires every 1 ms for a delay above 2^31 - 1 ms: a huge value would poll the CRM nonstop.
  if (!(settingsPollSeconds > 0 && settingsPollSeconds <= MAX_POLL_SECONDS)) {
    throw new UsageError(`--settings-poll needs a number of seconds from above 0 to ${MAX_POLL_SECONDS}, got "${pollText}"`);
  }
  const user = required('user');
  const password = values.get('password');
  if (password === undefined || password === '') throw new UsageError('--password is required');
  const crmUrl = url('crm');
  const graphUrl = url('graph');
  const stateFile = required('state');
  // Oro lets only a confidential application use the password grant: an id alone is never enough.
  const clientId = values.get('client-id')?.trim() || env.ORO_CLIENT_ID?.trim();
  const clientSecret = values.get('client-secret') || env.ORO_CLIENT_SECRET;
  if (!clientId || !clientSecret) {
    throw new UsageError(
      '--client-id and --client-secret (or ORO_CLIENT_ID and ORO_CLIENT_SECRET) are required: Oro allows the password grant ' +
        'only to a confidential OAuth application (docs/setup.md, step 3)',
    );
  }
  const graphClientId = values.get('graph-client-id')?.trim() || env.GRAPH_CLIENT_ID?.trim();
  if (deviceCode && !graphClientId) throw new UsageError('--device-code needs --graph-client-id (or GRAPH_CLIENT_ID): the app registration that allows public client flows (docs/setup.md)');
  for (const flag of ['graph-client-id', 'tenant', 'authority'] as const) {
    if (!deviceCode && values.has(flag)) throw new UsageError(`--${flag} goes with --device-code`);
  }
  const authority = values.has('authority') ? url('authority') : defaultAuthority(graphUrl);
  return {
    crmUrl,
    graphUrl,
    user,
    password,
    clientId,
    clientSecret,
    graphUser: values.get('graph-user')?.trim() || user,
    graphPassword: values.get('graph-password') || password,
    stateFile,
    settingsFile: values.get('settings')?.trim() || defaultSettingsFile(stateFile),
    once,
    settingsPollSeconds,
    ...(values.get('device')?.trim() ? { device: values.get('device')!.trim().slice(0, 100) } : {}),
    ...(deviceCode ? { deviceCode: { authority, tenant: values.get('tenant')?.trim() || 'organizations', clientId: graphClientId! } } : {}),
  };
}

/** Microsoft Graph signs in at Microsoft's identity platform; the emulator answers both at one origin. */
function defaultAuthority(graphUrl: string): string {
  const u = new URL(graphUrl);
  return u.hostname === 'graph.microsoft.com' ? 'https://login.microsoftonline.com' : u.origin;
}
