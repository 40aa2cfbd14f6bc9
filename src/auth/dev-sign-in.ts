// Development sign-in: the OAuth password grant against a CRM (the emulator in dev and tests),
// behind the SignIn interface so real sign-in can replace it without touching the pane.
import { CrmHttp } from '../crm/http';
import { CrmSettingsService } from '../crm/settings-service';
import type { OverridesStore } from '../settings/local-overrides';
import { PasswordGrantTokens, StaticTokens, type FetchLike, type TokenSource } from '../crm/tokens';
import { defaultCrmUrl, DEV_EMULATOR_PASSWORD_APP } from './dev-config';
import { NO_SESSION_KEEPER, type SessionKeeper } from './session-keeper';
import type { CrmSession, DevCredentials, SignIn } from './types';

export interface DevSignInOptions {
  keeper?: SessionKeeper;
  fetch?: FetchLike;
  defaultCrmUrl?: string;
  /** Where the user's own settings go against a stock Oro (memory if absent). */
  settingsOverrides?: OverridesStore;
}

/** The CRM base URL the user typed, checked at the edge: http(s), no query or fragment, no trailing slash. */
export function normalizeCrmUrl(typed: string): string {
  const text = typed.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL. Enter the CRM's address, for example http://127.0.0.1:4100.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('The CRM URL must start with http:// or https://.');
  if (url.search || url.hash) throw new Error('The CRM URL must not contain a query (?) or fragment (#).');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** Remembers the newest access token each time one is handed out, so a reload can resume. */
class RememberedTokens implements TokenSource {
  constructor(
    private readonly inner: TokenSource,
    private readonly remember: (token: string) => void,
  ) {}
  async accessToken(): Promise<string> {
    return this.kept(await this.inner.accessToken());
  }
  async refresh(): Promise<string> {
    return this.kept(await this.inner.refresh());
  }
  private kept(token: string): string {
    this.remember(token);
    return token;
  }
}

export class DevPasswordSignIn implements SignIn {
  readonly defaultCrmUrl: string;
  private readonly keeper: SessionKeeper;
  private readonly fetchImpl: FetchLike | undefined;
  private readonly overrides: OverridesStore | undefined;

  constructor(options: DevSignInOptions = {}) {
    this.keeper = options.keeper ?? NO_SESSION_KEEPER;
    this.fetchImpl = options.fetch;
    this.overrides = options.settingsOverrides;
    this.defaultCrmUrl = options.defaultCrmUrl ?? defaultCrmUrl();
  }

  async signIn(credentials: DevCredentials): Promise<CrmSession> {
    const crmUrl = normalizeCrmUrl(credentials.crmUrl);
    const username = credentials.username.trim();
    if (!username) throw new Error('Enter a user name.');
    if (!credentials.password) throw new Error('Enter the password.');
    const tokens = new PasswordGrantTokens({ ...DEV_EMULATOR_PASSWORD_APP, baseUrl: crmUrl, username, password: credentials.password, fetch: this.fetchImpl });
    // Proves the credentials now, so a wrong password is reported on the sign-in form.
    const first = await tokens.accessToken();
    this.keeper.save({ crmUrl, username, accessToken: first });
    return this.session(crmUrl, username, tokens);
  }

  resume(): CrmSession | null {
    const kept = this.keeper.load();
    if (!kept) return null;
    // Without the password the kept token cannot be renewed: once refused, the pane asks for sign-in again.
    return this.session(kept.crmUrl, kept.username, new StaticTokens(kept.accessToken));
  }

  private session(crmUrl: string, username: string, tokens: TokenSource): CrmSession {
    let signedOut = false;
    // A request still in flight after sign-out must not bring the kept session back.
    const remembered = new RememberedTokens(tokens, (accessToken) => signedOut || this.keeper.save({ crmUrl, username, accessToken }));
    const http = new CrmHttp({ baseUrl: crmUrl, tokens: remembered, fetch: this.fetchImpl });
    return {
      crmUrl,
      username,
      settings: new CrmSettingsService(http, 'user', this.overrides),
      signOut: () => {
        signedOut = true;
        this.keeper.clear();
      },
    };
  }
}
