// Development sync connection: wraps the dev password sign-in so that, next to the CRM session, the
// pane gets a SyncConnection to the Graph emulator through its password grant (same user name and
// password; the emulators share their demo users). Real sign-in (OAuth + MSAL, issue 5) replaces this
// by producing a SyncConnection of its own; the runtime does not care which.
//
// The password is sent to the Graph URL, so only a loopback Graph (the emulator) is accepted. Only
// access tokens are kept (sessionStorage, like the CRM's), never the password: a reloaded tab keeps
// syncing until a token expires, then the status asks for sign-in again.
import { buildValue } from '../auth/build-value';
import { isLoopbackHost } from '../auth/connection';
import { normalizeCrmUrl } from '../auth/dev-sign-in';
import type { CrmSession, DevCredentials, SignIn } from '../auth/types';
import { PasswordGrantTokens, StaticTokens, type FetchLike, type TokenSource } from '../crm/tokens';
import { GraphHttp, GraphPasswordTokens, type GraphTokenSource } from '../outlook';
import { mailboxOf } from '../outlook/mailbox';
import type { SyncConnection } from './sync-runtime';
import { DEV_EMULATOR_PASSWORD_APP } from '../auth/dev-config';

export const GRAPH_URL_OVERRIDE_KEY = 'orocrm-outlook.dev-graph-url';
export const KEPT_SYNC_TOKENS_KEY = 'orocrm-outlook.dev-sync-tokens';
export const FALLBACK_GRAPH_URL = 'http://127.0.0.1:4200';
export const UNAVAILABLE_MAILBOX_UNKNOWN = 'Sync is off: Outlook did not say which mailbox this is when you signed in (GET /me failed). Sign out and in again.';

/** The build's Graph URL (webpack DefinePlugin); `process` does not exist in a browser build without it. */
export function buildGraphUrl(): string {
  return buildValue(() => process.env.ADDIN_GRAPH_URL) || FALLBACK_GRAPH_URL;
}

/** The Graph emulator's root and API base for a configured URL, or null when it is not a loopback http(s) URL. */
export function graphEmulatorEndpoints(configured: string): { apiBaseUrl: string; tokenUrl: string } | null {
  let url: URL;
  try {
    url = new URL(configured.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !isLoopbackHost(url.hostname)) return null;
  const root = (url.origin + url.pathname).replace(/\/+$/, '').replace(/\/v1\.0$/, '');
  return { apiBaseUrl: `${root}/v1.0`, tokenUrl: `${root}/common/oauth2/v2.0/token` };
}

interface KeptTokens {
  crmUrl: string;
  username: string;
  graphUrl: string;
  crmToken: string | null;
  graphToken: string | null;
  /** Graph's name for the mailbox (see mailboxOf), so the pane and the headless runner agree on it. */
  mailbox: string | null;
}

function readKept(storage: Storage | null): KeptTokens | null {
  if (!storage) return null;
  try {
    const raw = JSON.parse(storage.getItem(KEPT_SYNC_TOKENS_KEY) ?? 'null') as Partial<KeptTokens> | null;
    if (!raw || typeof raw.crmUrl !== 'string' || typeof raw.username !== 'string' || typeof raw.graphUrl !== 'string') return null;
    return { crmUrl: raw.crmUrl, username: raw.username, graphUrl: raw.graphUrl, crmToken: typeof raw.crmToken === 'string' ? raw.crmToken : null, graphToken: typeof raw.graphToken === 'string' ? raw.graphToken : null, mailbox: typeof raw.mailbox === 'string' ? raw.mailbox : null };
  } catch {
    return null;
  }
}

/** Hands out the inner source's tokens and remembers the newest one. */
function remembering<T extends TokenSource | GraphTokenSource>(inner: T, remember: (token: string) => void): TokenSource {
  const kept = (token: string) => {
    remember(token);
    return token;
  };
  return {
    accessToken: async () => kept(await inner.accessToken()),
    refresh: async () => {
      if (!inner.refresh) throw new Error('cannot refresh');
      return kept(await inner.refresh());
    },
  };
}

export interface DevSyncSignInOptions {
  /** sessionStorage in a standalone tab; null keeps nothing (inside Outlook). */
  storage: Storage | null;
  /** Defaults to the build's ADDIN_GRAPH_URL, overridable in `storage` under GRAPH_URL_OVERRIDE_KEY (tests, other ports). */
  graphUrl?: string;
  fetch?: FetchLike;
}

export class DevSyncSignIn implements SignIn {
  private readonly connections = new WeakMap<CrmSession, SyncConnection>();
  private readonly unavailable = new WeakMap<CrmSession, string>();

  constructor(
    private readonly inner: SignIn,
    private readonly options: DevSyncSignInOptions,
  ) {}

  get defaultCrmUrl(): string {
    return this.inner.defaultCrmUrl;
  }

  async signIn(credentials: DevCredentials): Promise<CrmSession> {
    const session = await this.inner.signIn(credentials);
    const graphUrl = this.graphUrl();
    const endpoints = graphEmulatorEndpoints(graphUrl);
    if (!endpoints) return session;
    const crmUrl = normalizeCrmUrl(credentials.crmUrl);
    const username = credentials.username.trim();
    let kept: KeptTokens = { crmUrl, username, graphUrl, crmToken: null, graphToken: null, mailbox: null };
    let signedOut = false;
    const keep = (patch: Partial<KeptTokens>) => {
      if (signedOut || !this.options.storage) return;
      kept = { ...kept, ...patch };
      this.options.storage.setItem(KEPT_SYNC_TOKENS_KEY, JSON.stringify(kept));
    };
    const fetch = this.options.fetch;
    const crmTokens = remembering(new PasswordGrantTokens({ ...DEV_EMULATOR_PASSWORD_APP, baseUrl: crmUrl, username, password: credentials.password, fetch }), (t) => keep({ crmToken: t }));
    const graphTokens = remembering(new GraphPasswordTokens({ tokenUrl: endpoints.tokenUrl, username, password: credentials.password, fetch }), (t) => keep({ graphToken: t }));
    // Settings work without Graph, but sync does not: a guessed mailbox name (the user name) would key the
    // lease apart from the runner's and Office's, and two engines would sync one mailbox.
    const mailbox = await mailboxOf(new GraphHttp({ baseUrl: endpoints.apiBaseUrl, tokens: graphTokens, fetch, maxAttempts: 1 }), username).catch(() => null);
    if (!mailbox) {
      signedOut = true;
      this.options.storage?.removeItem(KEPT_SYNC_TOKENS_KEY);
      this.unavailable.set(session, UNAVAILABLE_MAILBOX_UNKNOWN);
      return session;
    }
    keep({ mailbox });
    return this.withConnection(session, this.connection(crmUrl, username, mailbox, endpoints.apiBaseUrl, crmTokens, graphTokens), () => {
      signedOut = true;
    });
  }

  resume(): CrmSession | null {
    const session = this.inner.resume();
    if (!session) return null;
    const kept = readKept(this.options.storage);
    const endpoints = kept ? graphEmulatorEndpoints(kept.graphUrl) : null;
    if (!kept || !endpoints || kept.crmUrl !== session.crmUrl || kept.username !== session.username || !kept.crmToken || !kept.graphToken || !kept.mailbox) return session;
    const graphToken = kept.graphToken;
    const graph: GraphTokenSource = { accessToken: () => Promise.resolve(graphToken) };
    return this.withConnection(session, this.connection(kept.crmUrl, kept.username, kept.mailbox, endpoints.apiBaseUrl, new StaticTokens(kept.crmToken), graph), () => undefined);
  }

  /** The sync connection of a session this sign-in made, or null (no Graph emulator configured, or see unavailableReason). */
  connectionFor(session: CrmSession): SyncConnection | null {
    return this.connections.get(session) ?? null;
  }

  /** Why a session has no sync connection although Graph is configured, or null. */
  unavailableReason(session: CrmSession): string | null {
    return this.unavailable.get(session) ?? null;
  }

  private graphUrl(): string {
    const override = this.options.storage?.getItem(GRAPH_URL_OVERRIDE_KEY);
    return override || this.options.graphUrl || buildGraphUrl();
  }

  private connection(crmUrl: string, username: string, mailbox: string, graphApi: string, crm: TokenSource, graph: GraphTokenSource): SyncConnection {
    return { identity: { crmUrl, crmUser: username, mailbox }, crm: { baseUrl: crmUrl, tokens: crm }, graph: { baseUrl: graphApi, tokens: graph } };
  }

  private withConnection(session: CrmSession, connection: SyncConnection, onSignOut: () => void): CrmSession {
    const wrapped: CrmSession = {
      ...session,
      signOut: () => {
        onSignOut();
        this.options.storage?.removeItem(KEPT_SYNC_TOKENS_KEY);
        session.signOut();
      },
    };
    this.connections.set(wrapped, connection);
    return wrapped;
  }
}
