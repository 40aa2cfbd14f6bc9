// One interactive CRM sign-in, started only by a user's click: PKCE pair + state in the pane, an Office
// dialog on the add-in's own origin (auth-start → Oro's authorize → auth-callback → messageParent),
// then the code exchange here, so the verifier never leaves the pane (office-addins.md §4, oro-api.md §6).
import { OUTLOOK_ADDIN_CLIENT_ID, type FetchLike } from '../crm/tokens';
import { buildAuthorizeUrl, codeFromAnswer, exchangeCode, parseDialogAnswer, SignInRequiredError } from './crm-oauth';
import type { CrmOAuthTokens } from './crm-oauth-tokens';
import { DialogError, type AuthDialog } from './office-dialog';
import { createPkcePair, createState } from './pkce';

export const AUTH_START_PAGE = 'auth-start.html';
export const AUTH_CALLBACK_PAGE = 'auth-callback.html';

/** The page Oro redirects back to; it must be registered as the OAuth application's redirect URI. */
export function crmRedirectUri(addinBaseUrl: string): string {
  return new URL(AUTH_CALLBACK_PAGE, withSlash(addinBaseUrl)).toString();
}

/** The add-in's own page the dialog opens first; it carries the authorize URL to redirect to. */
export function authStartUrl(addinBaseUrl: string, authorizeUrl: string): string {
  const url = new URL(AUTH_START_PAGE, withSlash(addinBaseUrl));
  url.searchParams.set('authorize', authorizeUrl);
  return url.toString();
}

function withSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}

export interface CrmSignInOptions {
  /** Where the add-in's pages are served, e.g. https://addin.example.com/ (the pane's own folder). */
  addinBaseUrl: string;
  dialog: AuthDialog;
  tokens: CrmOAuthTokens;
  clientId?: string;
  fetch?: FetchLike;
}

/** Resolves once tokens are kept; rejects with SignInRequiredError whose reason the pane shows beside a Sign-in button. */
export async function signInToCrm(o: CrmSignInOptions): Promise<void> {
  const pkce = await createPkcePair();
  const state = createState();
  const redirectUri = crmRedirectUri(o.addinBaseUrl);
  const authorizeUrl = buildAuthorizeUrl({ crmUrl: o.tokens.crmUrl, redirectUri, challenge: pkce.challenge, state, clientId: o.clientId });
  let message: string;
  try {
    message = await o.dialog.open(authStartUrl(o.addinBaseUrl, authorizeUrl));
  } catch (error) {
    if (error instanceof DialogError) {
      throw new SignInRequiredError(error.failure === 'closed' ? 'dialog-closed' : error.failure === 'blocked' ? 'dialog-blocked' : 'sign-in-failed', undefined, { cause: error });
    }
    throw error;
  }
  const code = codeFromAnswer(parseDialogAnswer(message), state);
  const token = await exchangeCode({
    crmUrl: o.tokens.crmUrl,
    code,
    verifier: pkce.verifier,
    redirectUri,
    clientId: o.clientId ?? OUTLOOK_ADDIN_CLIENT_ID,
    fetch: o.fetch,
  });
  o.tokens.adopt(token);
}
