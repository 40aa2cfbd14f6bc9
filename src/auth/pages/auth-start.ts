// Entry of auth-start.html: the dialog's first page, on the add-in's origin (office-addins.md §4).
import { buildCrmOrigin } from '../dev-config';
import { startRedirect } from './dialog-pages';
import { showPageMessage } from './page-message';

/** Served from this machine (dev, tests): any CRM; otherwise only the build's CRM (ADDIN_CRM_URL), as the CSP allows. */
function allowedCrmOrigins(): string[] | undefined {
  if (['localhost', '127.0.0.1', '[::1]'].includes(window.location.hostname)) return undefined;
  const origin = buildCrmOrigin();
  return origin ? [origin] : undefined;
}

try {
  window.location.replace(startRedirect(window.location.search, window.sessionStorage, allowedCrmOrigins()));
} catch (error) {
  showPageMessage(error instanceof Error ? error.message : String(error));
}
