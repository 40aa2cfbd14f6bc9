// The connect screen's service: which CRM, which user, signed in or why not; connect, sign in and
// disconnect. UI code calls these and renders the view; it never builds URLs or touches tokens.
import { CrmHttp } from '../crm/http';
import { CrmSettingsService } from '../crm/settings-service';
import type { SettingsService } from '../settings/service';
import type { OverridesStore } from '../settings/local-overrides';
import type { CrmSession } from './types';
import type { FetchLike } from '../crm/tokens';
import { fetchUserProfile, SIGN_IN_MESSAGES, SignInRequiredError, userFromAccessToken, type CrmUserProfile, type SignInReason } from './crm-oauth';
import { signInToCrm } from './crm-oauth-signin';
import { CrmOAuthTokens } from './crm-oauth-tokens';
import { validateCrmUrl, type ConnectionStore, type CrmUrlRules } from './connection';
import type { AuthDialog } from './office-dialog';
import type { TokenVault } from './token-vault';

export type ConnectionView =
  | { kind: 'not-connected' }
  /** `userUnknown`: the CRM could not tell whose account this is, so no sync state can be keyed to it. */
  | { kind: 'signed-in'; crmUrl: string; user: CrmUserProfile | null; userUnknown?: boolean }
  | { kind: 'sign-in-required'; crmUrl: string; reason: SignInReason; message: string };

export interface ConnectionManagerOptions {
  store: ConnectionStore;
  vault: TokenVault;
  dialog: AuthDialog;
  /** Where auth-start.html / auth-callback.html are served (the pane's folder). */
  addinBaseUrl: string;
  rules: CrmUrlRules;
  /** Forgets the local sync state of a CRM (clearCrmSyncState in the pane). */
  clearLocalState: (crmUrl: string) => Promise<unknown>;
  /** Oro's client id of the add-in's OAuth application (ADDIN_CRM_CLIENT_ID; default outlook-addin). */
  clientId?: string;
  /** Where the user's own settings go against a stock Oro (roamingSettings in Outlook; memory if absent). */
  settingsOverrides?: OverridesStore;
  fetch?: FetchLike;
  now?: () => number;
}

export class ConnectionManager {
  private tokensFor: CrmOAuthTokens | null = null;
  private user: CrmUserProfile | null = null;
  private userUnknown = false;
  private reason: SignInReason = 'signed-out';
  private listeners = new Set<(view: ConnectionView) => void>();
  private signingIn: Promise<void> | null = null;
  private unsubscribeTokens: (() => void) | null = null;
  private settingsFor: { tokens: CrmOAuthTokens; service: SettingsService } | null = null;
  private sessionFor: { key: string; session: CrmSession } | null = null;

  constructor(private readonly o: ConnectionManagerOptions) {
    const url = this.keptUrl();
    if (url) this.useCrm(url);
  }

  /**
   * The URL kept from an earlier connect, checked again: roamingSettings follow the mailbox to every build
   * and device (a dev build's http://localhost, another CRM). One this pane cannot use means "not connected".
   */
  private keptUrl(): string | null {
    const kept = this.o.store.load();
    if (!kept) return null;
    try {
      return validateCrmUrl(kept, this.o.rules);
    } catch {
      return null;
    }
  }

  view(): ConnectionView {
    const tokens = this.tokensFor;
    if (!tokens) return { kind: 'not-connected' };
    const state = tokens.state();
    if (state.kind === 'signed-in') return { kind: 'signed-in', crmUrl: tokens.crmUrl, user: this.user, ...(this.userUnknown ? { userUnknown: true } : {}) };
    const reason = state.reason === 'signed-out' ? this.reason : state.reason;
    return { kind: 'sign-in-required', crmUrl: tokens.crmUrl, reason, message: SIGN_IN_MESSAGES[reason] };
  }

  subscribe(listener: (view: ConnectionView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The settings service of the connected CRM (null before a CRM is chosen); one per connection. */
  settings(): SettingsService | null {
    const tokens = this.tokensFor;
    if (!tokens) return null;
    if (this.settingsFor?.tokens !== tokens) this.settingsFor = { tokens, service: new CrmSettingsService(new CrmHttp({ baseUrl: tokens.crmUrl, tokens, fetch: this.o.fetch }), 'user', this.o.settingsOverrides) };
    return this.settingsFor.service;
  }

  /**
   * The signed-in connection as the pane's CrmSession (settings and sync hang off it); the same object
   * while the CRM and user stay the same, null while signed out or before the user is known.
   */
  session(): CrmSession | null {
    const view = this.view();
    const settings = this.settings();
    if (view.kind !== 'signed-in' || !view.user || !settings) return null;
    const key = `${view.crmUrl}|${view.user.username}`;
    if (this.sessionFor?.key !== key) {
      const tokens = this.tokensFor!;
      this.sessionFor = { key, session: { crmUrl: view.crmUrl, username: view.user.username, settings, signOut: () => tokens.forget('signed-out') } };
    }
    return this.sessionFor.session;
  }

  /** The TokenSource for the CRM clients (null before a CRM is chosen). */
  tokens(): CrmOAuthTokens | null {
    return this.tokensFor;
  }

  /** The connect form: checks and keeps the URL, then signs in (this is the user's click). */
  async connect(typedUrl: string): Promise<void> {
    const crmUrl = validateCrmUrl(typedUrl, this.o.rules);
    await this.o.store.save(crmUrl);
    this.useCrm(crmUrl);
    this.emit();
    await this.signIn();
  }

  /** Only from a user's click; concurrent clicks share one dialog (Office allows one at a time). */
  signIn(): Promise<void> {
    const tokens = this.tokensFor;
    if (!tokens) return Promise.reject(new Error('Enter the CRM address first.'));
    this.signingIn ??= (async () => {
      try {
        await signInToCrm({ addinBaseUrl: this.o.addinBaseUrl, dialog: this.o.dialog, tokens, clientId: this.o.clientId, fetch: this.o.fetch });
        await this.loadUser();
      } catch (error) {
        if (error instanceof SignInRequiredError) this.reason = error.reason;
        this.emit();
        throw error;
      }
    })().finally(() => {
      this.signingIn = null;
    });
    return this.signingIn;
  }

  /** The user shown beside the CRM; failures leave it unknown (the connection itself still works). */
  async loadUser(): Promise<void> {
    const tokens = this.tokensFor;
    if (!tokens || tokens.state().kind !== 'signed-in') return;
    try {
      this.user = await fetchUserProfile(new CrmHttp({ baseUrl: tokens.crmUrl, tokens, fetch: this.o.fetch }));
    } catch (error) {
      if (error instanceof SignInRequiredError) return; // the view already says "sign in"
      // No profile resource on this CRM: the token's own subject still tells whose sync state this is.
      this.user = userFromAccessToken(await tokens.accessToken().catch(() => ''));
    }
    this.userUnknown = this.user === null;
    this.emit();
  }

  /** Forgets the tokens and the local sync state of this CRM, then the URL. */
  async disconnect(): Promise<void> {
    const tokens = this.tokensFor;
    if (!tokens) return;
    tokens.forget('signed-out');
    await this.o.clearLocalState(tokens.crmUrl);
    await this.o.store.clear();
    this.unsubscribeTokens?.();
    this.unsubscribeTokens = null;
    this.tokensFor = null;
    this.user = null;
    this.userUnknown = false;
    this.reason = 'signed-out';
    this.emit();
  }

  private useCrm(crmUrl: string): void {
    if (this.tokensFor?.crmUrl === crmUrl) return;
    this.unsubscribeTokens?.();
    this.tokensFor = new CrmOAuthTokens({ crmUrl, vault: this.o.vault, clientId: this.o.clientId, fetch: this.o.fetch, now: this.o.now });
    this.user = null;
    // An expired session found by the sync loop shows up here as "sign in", never as a pop-up.
    this.unsubscribeTokens = this.tokensFor.subscribe(() => this.emit());
  }

  private emit(): void {
    const view = this.view();
    for (const listener of this.listeners) listener(view);
  }
}
