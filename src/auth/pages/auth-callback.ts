// Entry of auth-callback.html: Oro redirects here; the answer goes to the pane with messageParent
// once office.js is ready (office-addins.md §4).
import { callbackAnswer } from './dialog-pages';
import { showPageMessage } from './page-message';

const answer = callbackAnswer(window.location.search, window.sessionStorage);
// Drop the code from the address bar and history as soon as it is read.
window.history.replaceState?.(null, '', window.location.pathname);

const office = (globalThis as { Office?: typeof Office }).Office;
if (!office) {
  showPageMessage('This page finishes a CRM sign-in inside Outlook; it has nothing to do on its own.');
} else {
  void office.onReady().then(() => {
    office.context.ui.messageParent(JSON.stringify(answer));
    showPageMessage(answer.type === 'code' ? 'Signed in. This window closes by itself.' : 'Sign-in did not finish. You can close this window.');
  });
}
