// Entry of graph-dialog.html: the Graph sign-in when the host has no NAA (office-addins.md §4 fallback).
// MSAL's redirect flow runs inside the Office dialog on our own origin; the token goes back with messageParent.
import { createStandardPublicClientApplication, type AuthenticationResult } from '@azure/msal-browser';
import { GRAPH_SCOPES, type GraphDialogAnswer } from '../graph-msal';
import { graphClientId } from '../graph-msal-config';
import { showPageMessage } from './page-message';

async function run(): Promise<GraphDialogAnswer | null> {
  const pca = await createStandardPublicClientApplication({
    auth: { clientId: graphClientId(), authority: 'https://login.microsoftonline.com/common', redirectUri: window.location.origin + window.location.pathname },
    cache: { cacheLocation: 'localStorage' },
  });
  const result: AuthenticationResult | null = await pca.handleRedirectPromise();
  if (result) return { type: 'token', accessToken: result.accessToken, expiresOn: result.expiresOn?.getTime() ?? Date.now() + 3_000_000 };
  await pca.acquireTokenRedirect({ scopes: [...GRAPH_SCOPES] });
  return null; // navigating to Microsoft's sign-in page
}

const office = (globalThis as { Office?: typeof Office }).Office;
void (async () => {
  let answer: GraphDialogAnswer | null;
  try {
    answer = await run();
  } catch (error) {
    answer = { type: 'error', error: (error as { errorCode?: string }).errorCode ?? 'sign_in_failed', description: error instanceof Error ? error.message : String(error) };
  }
  if (!answer) return;
  if (!office) return showPageMessage('This page finishes a Microsoft sign-in inside Outlook.');
  await office.onReady();
  office.context.ui.messageParent(JSON.stringify(answer));
  showPageMessage(answer.type === 'token' ? 'Signed in. This window closes by itself.' : 'Sign-in did not finish. You can close this window.');
})();
