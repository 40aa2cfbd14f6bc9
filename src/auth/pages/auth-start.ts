// Entry of auth-start.html: the dialog's first page, on the add-in's origin (office-addins.md §4).
import { startRedirect } from './dialog-pages';
import { showPageMessage } from './page-message';

try {
  window.location.replace(startRedirect(window.location.search, window.sessionStorage));
} catch (error) {
  showPageMessage(error instanceof Error ? error.message : String(error));
}
