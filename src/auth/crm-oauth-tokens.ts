// The CRM TokenSource for real sign-in: tokens from the authorization-code exchange, renewed with
// Oro's rotating refresh tokens before they expire. It never opens a dialog: when renewal is
// impossible it forgets the tokens, reports "sign in" once, and throws SignInRequiredError.
import { OUTLOOK_ADDIN_CLIENT_ID, requestToken, type FetchLike, type TokenResponse, type TokenSource } from '../crm/tokens';
import { AuthenticationError } from '../sync/errors';
import { SignInRequiredError, type SignInReason } from './crm-oauth';
import type { TokenVault } from './token-vault';

export type CrmAuthState = { kind: 'signed-in' } | { kind: 'sign-in-required'; reason: SignInReason };

export interface CrmOAuthTokensOptions {
  crmUrl: string;
  vault: TokenVault;
  clientId?: string;
  fetch?: FetchLike;
  /** Clock in ms, for tests. */
  now?: () => number;
  /** Renew this long before the access token expires (default 60 s). */
  refreshMarginMs?: number;
}

export class CrmOAuthTokens implements TokenSource {
  private pending: Promise<string> | null = null;
  private listeners = new Set<(state: CrmAuthState) => void>();
  private lastReason: SignInReason = 'signed-out';
  private readonly fetchImpl: FetchLike;
  private readonly now: () => number;
  private readonly margin: number;
  private readonly clientId: string;

  constructor(private readonly options: CrmOAuthTokensOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? Date.now;
    this.margin = options.refreshMarginMs ?? 60_000;
    this.clientId = options.clientId ?? OUTLOOK_ADDIN_CLIENT_ID;
  }

  get crmUrl(): string {
    return this.options.crmUrl;
  }

  state(): CrmAuthState {
    return this.options.vault.load(this.options.crmUrl) ? { kind: 'signed-in' } : { kind: 'sign-in-required', reason: this.lastReason };
  }

  /** Called with every change between signed-in and sign-in-required; returns an unsubscribe. */
  subscribe(listener: (state: CrmAuthState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Keeps the tokens of a fresh code exchange. */
  adopt(token: TokenResponse): void {
    this.keep(token);
    this.emit();
  }

  /** Forgets the tokens (Disconnect, sign-out). */
  forget(reason: SignInReason = 'signed-out'): void {
    this.options.vault.clear(this.options.crmUrl);
    this.lastReason = reason;
    this.emit();
  }

  /** CrmHttp: even a fresh token got 401, so refreshing again would only loop; the pane asks for sign-in instead. */
  refused(): void {
    if (this.options.vault.load(this.options.crmUrl)) this.forget('session-expired');
  }

  accessToken(): Promise<string> {
    const held = this.options.vault.load(this.options.crmUrl);
    if (held && this.now() < held.expiresAt - this.margin) return Promise.resolve(held.accessToken);
    return this.refresh();
  }

  /** One refresh_token grant, shared by concurrent callers (a rotated token can be used only once). */
  refresh(): Promise<string> {
    this.pending ??= this.renew().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async renew(): Promise<string> {
    const held = this.options.vault.load(this.options.crmUrl);
    if (!held) throw new SignInRequiredError(this.lastReason);
    let token: TokenResponse;
    try {
      token = await requestToken(this.options.crmUrl, { grant_type: 'refresh_token', client_id: this.clientId, refresh_token: held.refreshToken }, this.fetchImpl);
    } catch (error) {
      // Refused (expired, revoked, already rotated): only a new sign-in helps. Network trouble keeps the tokens.
      if (!(error instanceof AuthenticationError)) throw error;
      this.forget('session-expired');
      throw new SignInRequiredError('session-expired', undefined, { cause: error });
    }
    return this.keep(token, held.refreshToken);
  }

  private keep(token: TokenResponse, previousRefresh?: string): string {
    const refreshToken = token.refresh_token ?? previousRefresh;
    if (!refreshToken) throw new SignInRequiredError('sign-in-failed', 'the CRM issued no refresh token');
    this.options.vault.save(this.options.crmUrl, { accessToken: token.access_token, refreshToken, expiresAt: this.now() + token.expires_in * 1000 });
    return token.access_token;
  }

  private emit(): void {
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }
}
