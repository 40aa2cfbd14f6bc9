// Entry of msal-redirect.html: MSAL v5's redirect bridge. Popup and silent-iframe responses land here and
// are passed to the window that asked (office-addins.md §4; served without COOP headers).
import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';

void broadcastResponseToMainFrame().catch(() => {
  document.body.textContent = 'This page is part of the Microsoft sign-in and has nothing to show on its own.';
});
