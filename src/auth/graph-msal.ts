// Microsoft Graph sign-in (office-addins.md §4). MSAL sits behind GraphAuth so the pane and the tests
// never see it: silent first, interactive only from a user's click. With Nested App Authentication the
// host brokers the prompt; without it (Outlook.com, older hosts) the Office dialog runs MSAL's redirect
// flow on our own page (graph-dialog.html) and hands the token back with messageParent.
import type { AccountInfo, AuthenticationResult, Configuration, IPublicClientApplication } from '@azure/msal-browser';
import { z } from 'zod';
import { AuthenticationError } from '../sync/errors';
import { DialogError, type AuthDialog } from './office-dialog';

export const GRAPH_SCOPES = ['Contacts.ReadWrite', 'Calendars.ReadWrite', 'Tasks.ReadWrite'] as const;
export const GRAPH_DIALOG_PAGE = 'graph-dialog.html';
/** MSAL v5's popup and silent-iframe flows answer through this page (redirect-bridge.md). */
export const MSAL_REDIRECT_BRIDGE_PAGE = 'msal-redirect.html';

export type GraphSignInReason = 'interaction-required' | 'dialog-closed' | 'dialog-blocked' | 'sign-in-failed';

export const GRAPH_SIGN_IN_MESSAGES: Record<GraphSignInReason, string> = {
  'interaction-required': 'Sign in to Microsoft 365 to sync your Outlook contacts, tasks and calendar.',
  'dialog-closed': 'The Microsoft sign-in window was closed before sign-in finished. Select Sign in to try again.',
  'dialog-blocked': 'The Microsoft sign-in window could not open. Allow pop-ups for Outlook, then select Sign in.',
  'sign-in-failed': 'Signing in to Microsoft 365 failed. Select Sign in to try again.',
};

export class GraphSignInRequiredError extends AuthenticationError {
  constructor(
    readonly reason: GraphSignInReason,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail ? `${GRAPH_SIGN_IN_MESSAGES[reason]} (${detail})` : GRAPH_SIGN_IN_MESSAGES[reason], options);
  }
}

/** The pane's view of Graph sign-in. */
export interface GraphAuth {
  /** Silent only: a token, or GraphSignInRequiredError; never shows UI. */
  accessToken(options?: { forceRefresh?: boolean }): Promise<string>;
  /** Interactive; call only from a user's click. */
  signIn(): Promise<string>;
}

/** A GraphTokenSource (src/outlook/graph-http.ts) over GraphAuth: a 401 asks MSAL for a fresh token, silently. */
export function graphTokenSource(auth: GraphAuth): { accessToken(): Promise<string>; refresh(): Promise<string> } {
  return { accessToken: () => auth.accessToken(), refresh: () => auth.accessToken({ forceRefresh: true }) };
}

/** The part of MSAL's PublicClientApplication we use; tests pass a double. */
export type MsalClient = Pick<IPublicClientApplication, 'acquireTokenSilent' | 'acquireTokenPopup' | 'getAllAccounts' | 'getActiveAccount'>;

/** MSAL signals "a prompt is needed" with InteractionRequiredAuthError; matched by name so a double needs no MSAL. */
export function isInteractionRequired(error: unknown): boolean {
  const e = error as { name?: unknown; errorCode?: unknown } | null;
  if (!e) return false;
  if (e.name === 'InteractionRequiredAuthError') return true;
  return typeof e.errorCode === 'string' && ['interaction_required', 'login_required', 'consent_required', 'no_account_error', 'no_tokens_found'].includes(e.errorCode);
}

/** NAA (or a standard PCA where the host has no bridge): acquireTokenSilent, then acquireTokenPopup on click. */
export class MsalGraphAuth implements GraphAuth {
  constructor(private readonly msal: MsalClient) {}

  private account(): AccountInfo | undefined {
    return this.msal.getActiveAccount() ?? this.msal.getAllAccounts()[0] ?? undefined;
  }

  async accessToken(options: { forceRefresh?: boolean } = {}): Promise<string> {
    try {
      const result = await this.msal.acquireTokenSilent({ scopes: [...GRAPH_SCOPES], account: this.account(), forceRefresh: options.forceRefresh });
      return result.accessToken;
    } catch (error) {
      if (isInteractionRequired(error)) throw new GraphSignInRequiredError('interaction-required', undefined, { cause: error });
      throw new GraphSignInRequiredError('sign-in-failed', error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  async signIn(): Promise<string> {
    let result: AuthenticationResult;
    try {
      result = await this.msal.acquireTokenPopup({ scopes: [...GRAPH_SCOPES], account: this.account() });
    } catch (error) {
      const code = (error as { errorCode?: unknown }).errorCode;
      if (code === 'user_cancelled') throw new GraphSignInRequiredError('dialog-closed', undefined, { cause: error });
      if (code === 'popup_window_error' || code === 'empty_window_error') throw new GraphSignInRequiredError('dialog-blocked', undefined, { cause: error });
      throw new GraphSignInRequiredError('sign-in-failed', error instanceof Error ? error.message : String(error), { cause: error });
    }
    return result.accessToken;
  }
}

/** What graph-dialog.html sends to the pane. */
export const graphDialogAnswerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('token'), accessToken: z.string().min(1), expiresOn: z.number().finite() }),
  z.object({ type: z.literal('error'), error: z.string(), description: z.string().optional() }),
]);
export type GraphDialogAnswer = z.infer<typeof graphDialogAnswerSchema>;

/**
 * Without NAA: silent goes to `silent` (a standard PCA sharing the dialog's cache, when there is one),
 * else to the token the dialog handed over; signIn opens the Office dialog.
 */
export class DialogGraphAuth implements GraphAuth {
  private held: { token: string; expiresOn: number } | null = null;

  constructor(
    private readonly o: {
      dialog: AuthDialog;
      /** Where graph-dialog.html is served (the pane's folder). */
      addinBaseUrl: string;
      silent?: GraphAuth;
      now?: () => number;
    },
  ) {}

  async accessToken(options: { forceRefresh?: boolean } = {}): Promise<string> {
    const now = (this.o.now ?? Date.now)();
    if (!options.forceRefresh && this.held && now < this.held.expiresOn - 60_000) return this.held.token;
    if (this.o.silent) return this.o.silent.accessToken(options);
    throw new GraphSignInRequiredError('interaction-required');
  }

  async signIn(): Promise<string> {
    const base = this.o.addinBaseUrl.endsWith('/') ? this.o.addinBaseUrl : `${this.o.addinBaseUrl}/`;
    let message: string;
    try {
      message = await this.o.dialog.open(new URL(GRAPH_DIALOG_PAGE, base).toString());
    } catch (error) {
      if (error instanceof DialogError) {
        throw new GraphSignInRequiredError(error.failure === 'closed' ? 'dialog-closed' : error.failure === 'blocked' ? 'dialog-blocked' : 'sign-in-failed', undefined, {
          cause: error,
        });
      }
      throw error;
    }
    let answer: GraphDialogAnswer;
    try {
      answer = graphDialogAnswerSchema.parse(JSON.parse(message));
    } catch {
      throw new GraphSignInRequiredError('sign-in-failed', 'the sign-in window sent an unreadable answer');
    }
    if (answer.type === 'error') throw new GraphSignInRequiredError('sign-in-failed', answer.description ?? answer.error);
    this.held = { token: answer.accessToken, expiresOn: answer.expiresOn };
    return answer.accessToken;
  }
}

export interface GraphAuthConfig {
  /** The Entra app's client id (process.env.ADDIN_GRAPH_CLIENT_ID at build time). */
  clientId: string;
  /** Where the add-in's pages are served. */
  addinBaseUrl: string;
  authority?: string;
}

export function msalConfiguration(c: GraphAuthConfig): Configuration {
  const base = c.addinBaseUrl.endsWith('/') ? c.addinBaseUrl : `${c.addinBaseUrl}/`;
  return {
    auth: { clientId: c.clientId, authority: c.authority ?? 'https://login.microsoftonline.com/common', redirectUri: new URL(MSAL_REDIRECT_BRIDGE_PAGE, base).toString() },
    cache: { cacheLocation: 'localStorage' },
  };
}

export interface GraphAuthEnvironment {
  /** Office.context.requirements.isSetSupported('NestedAppAuth', '1.1'). */
  naaSupported: boolean;
  dialog: AuthDialog;
  /** Injected in tests; defaults load MSAL's factories. */
  createNestable?: (config: Configuration) => Promise<MsalClient>;
  createStandard?: (config: Configuration) => Promise<MsalClient>;
}

/** NAA when the host supports it, else the dialog fallback (with a standard PCA for silent renewals). */
export async function createGraphAuth(config: GraphAuthConfig, env: GraphAuthEnvironment): Promise<GraphAuth> {
  if (!config.clientId) throw new Error('No Microsoft Entra client id was configured (ADDIN_GRAPH_CLIENT_ID at build time).');
  const msalConfig = msalConfiguration(config);
  if (env.naaSupported) {
    const create = env.createNestable ?? (async (c: Configuration) => (await import('@azure/msal-browser')).createNestablePublicClientApplication(c));
    return new MsalGraphAuth(await create(msalConfig));
  }
  const create = env.createStandard ?? (async (c: Configuration) => (await import('@azure/msal-browser')).createStandardPublicClientApplication(c));
  return new DialogGraphAuth({ dialog: env.dialog, addinBaseUrl: config.addinBaseUrl, silent: new MsalGraphAuth(await create(msalConfig)) });
}

/** Office.context.requirements.isSetSupported('NestedAppAuth', '1.1'), false outside Office. */
export function naaSupported(office: typeof Office | undefined = (globalThis as { Office?: typeof Office }).Office): boolean {
  try {
    return Boolean(office?.context?.requirements?.isSetSupported('NestedAppAuth', '1.1'));
  } catch {
    return false;
  }
}
