// The logic of the two pages the CRM sign-in dialog shows on the add-in's own origin, kept pure so it
// is tested without a browser. auth-start: check the authorize URL, remember its `state`, redirect.
// auth-callback: read Oro's redirect, compare `state`, and hand the answer to the pane (messageParent).
import { answerFromRedirect, AUTHORIZE_PATH, type DialogAnswer } from '../crm-oauth';

/** sessionStorage of the dialog window: it survives the round trip through the CRM in that window only. */
export const DIALOG_STATE_KEY = 'orocrm-outlook.auth-state';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

/**
 * Where auth-start sends the dialog. Only a PKCE authorize URL of a CRM is accepted, so the page
 * cannot be used to redirect anywhere else; http is allowed for loopback CRMs only (dev, emulator).
 * `allowedOrigins` (production: the build's CRM) narrows it to the CRMs the pages' CSP lets the pane call.
 */
export function startRedirect(search: string, storage: Pick<Storage, 'setItem'>, allowedOrigins?: readonly string[]): string {
  const raw = new URLSearchParams(search).get('authorize');
  if (!raw) throw new Error('This page starts a CRM sign-in and needs an authorize address.');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('The CRM sign-in address is not a URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new Error('The CRM sign-in address must use https.');
  }
  if (!url.pathname.replace(/\/+$/, '').endsWith(AUTHORIZE_PATH)) throw new Error('The address is not an OroCRM sign-in (authorize) address.');
  if (allowedOrigins && !allowedOrigins.includes(url.origin)) throw new Error(`This add-in is not set up to sign in to ${url.origin}.`);
  const state = url.searchParams.get('state');
  if (!state || url.searchParams.get('code_challenge_method') !== 'S256' || !url.searchParams.get('code_challenge')) {
    throw new Error('The CRM sign-in address lacks its PKCE challenge or state.');
  }
  storage.setItem(DIALOG_STATE_KEY, state);
  return url.toString();
}

/** What auth-callback sends to the pane. The remembered state is used once, then forgotten. */
export function callbackAnswer(search: string, storage: Pick<Storage, 'getItem' | 'removeItem'>): DialogAnswer {
  const answer = answerFromRedirect(search);
  const expected = storage.getItem(DIALOG_STATE_KEY);
  storage.removeItem(DIALOG_STATE_KEY);
  if (!expected || answer.state !== expected) return { type: 'error', error: 'state_mismatch', description: 'The sign-in answer does not belong to this sign-in.', state: answer.state };
  return answer;
}
